import { describe, expect, it } from 'vitest';
import { assertPublicUrl, isPrivateAddress } from './ssrf.js';

const fixed = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('SSRF guard', () => {
  it('classifies loopback, private, link-local, mapped and public addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('refuses URLs whose host resolves to any private address, unless allowed', async () => {
    await expect(assertPublicUrl('http://127.0.0.1:8080/hook')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(assertPublicUrl('https://[::1]/hook')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(assertPublicUrl('https://hooks.example/x', { resolve: fixed('93.184.216.34', '10.0.0.5') })).rejects.toThrow(/private or local/);
    await expect(assertPublicUrl('https://hooks.example/x', { resolve: fixed('10.0.0.5'), allowPrivate: true })).resolves.toMatchObject({ addresses: ['10.0.0.5'] });
    await expect(assertPublicUrl('https://hooks.example/x', { resolve: fixed('93.184.216.34') })).resolves.toMatchObject({ addresses: ['93.184.216.34'] });
  });

  it('refuses other schemes, credentials and names that do not resolve', async () => {
    await expect(assertPublicUrl('file:///etc/passwd')).rejects.toThrow(/http and https/);
    await expect(assertPublicUrl('https://user:pw@hooks.example/')).rejects.toThrow(/credentials/);
    await expect(assertPublicUrl('https://nowhere.invalid/', { resolve: fixed() })).rejects.toThrow(/does not resolve/);
  });
});
