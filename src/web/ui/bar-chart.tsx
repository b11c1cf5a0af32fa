import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Series {
  key: string;
  label: string;
  color: string;
}

/**
 * A stacked bar chart (Recharts) with a screen-reader table of the same numbers: a chart alone says nothing to
 * someone who cannot see it.
 */
export const StackedBars = ({ title, data, x, series, height = 220 }: { title: string; data: readonly object[]; x: string; series: Series[]; height?: number }) => {
  // Rows are read by key only; any object with the x key and one numeric key per series will do.
  const rows = data as readonly Record<string, string | number | undefined>[];
  return (
  <figure className="chart">
    <figcaption>{title}</figcaption>
    <div aria-hidden="true">
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={[...rows]} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey={x} tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border)" />
          <YAxis allowDecimals={false} tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border)" />
          <Tooltip contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }} cursor={{ fill: 'var(--surface-2)' }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="all" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
    <table className="sr-only">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">{x}</th>
          {series.map((s) => (
            <th key={s.key} scope="col">
              {s.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={String(row[x])}>
            <th scope="row">{String(row[x])}</th>
            {series.map((s) => (
              <td key={s.key}>{String(row[s.key] ?? 0)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  </figure>
  );
};
