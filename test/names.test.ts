import { NameRule, assertName, nameProblem, suggestName } from '../constructs';

describe('Kubernetes names', () => {
  test.each([
    ['spark-jobs', NameRule.DNS1123_LABEL],
    ['1abc', NameRule.DNS1123_LABEL],
    ['spark-pi', NameRule.DNS1035_LABEL],
    ['spark.driver-sa', NameRule.DNS1123_SUBDOMAIN],
  ])('%p is a valid %s', (name, rule) => {
    expect(nameProblem(name, rule)).toBeUndefined();
  });

  test.each([
    ['Team_A', NameRule.DNS1123_LABEL, /not a valid DNS-1123 label/],
    ['-a', NameRule.DNS1123_LABEL, /not a valid/],
    ['a'.repeat(64), NameRule.DNS1123_LABEL, /64 characters; a DNS-1123 label has at most 63/],
    ['1abc', NameRule.DNS1035_LABEL, /not a valid DNS-1035 label/],
    ['', NameRule.DNS1123_SUBDOMAIN, /must not be empty/],
  ])('%p is not a valid %s', (name, rule, message) => {
    expect(nameProblem(name, rule)).toMatch(message);
  });

  test('fails with the field and a suggested name', () => {
    expect(() => assertName('Team_A', NameRule.DNS1123_LABEL, 'name', 'SparkNamespace')).toThrow(
      'SparkNamespace name: "Team_A" is not a valid DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit). Fix: use a name such as "team-a"',
    );
    expect(suggestName('42__Spark Jobs!')).toBe('spark-jobs');
  });
});
