import { ManifestValidator, formatIssues } from '../../constructs/validation';

const certificate = (spec: Record<string, unknown>) => ({
  apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: 'ns' }, spec,
});

describe('external kinds (cert-manager) are known without their CRDs in the set', () => {
  const validator = new ManifestValidator();

  test('a Certificate with the fields the platform sets is valid', () => {
    expect(formatIssues(validator.validate(certificate({ secretName: 's', dnsNames: ['a.b.svc'], issuerRef: { name: 'ca', kind: 'ClusterIssuer' } })))).toBe('');
  });

  test.each([
    ['a misspelled field', { secretName: 's', issuerRef: { name: 'ca' }, dnsName: ['x'] }, /\/spec\/dnsName/],
    ['a missing issuer', { secretName: 's' }, /issuerRef/],
    ['a wrong type', { secretName: 's', issuerRef: { name: 'ca' }, dnsNames: 'x' }, /\/spec\/dnsNames/],
  ])('rejects %s', (_name, spec, message) => {
    expect(formatIssues(validator.validate(certificate(spec)))).toMatch(message);
  });
});
