// Minimal typings for the peer sentiment libraries Parley is compared with (they ship none).
declare module 'vader-sentiment' {
  export const SentimentIntensityAnalyzer: {
    polarity_scores(text: string): { neg: number; neu: number; pos: number; compound: number };
  };
}

declare module 'wink-sentiment' {
  function sentiment(text: string): { score: number; normalizedScore: number };
  export default sentiment;
}

declare module 'sentiment' {
  class Sentiment {
    analyze(text: string): { score: number; comparative: number };
  }
  export default Sentiment;
}
