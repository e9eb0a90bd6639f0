import { Cpu, Memory, SparkPlatformError } from '../constructs';

describe('Cpu', () => {
  test.each([
    ['500m', 500, '500m'],
    ['2', 2000, '2'],
    [1.5, 1500, '1500m'],
    ['0.25', 250, '250m'],
    ['2e0', 2000, '2'],
  ])('parses %p as %p millicores and writes %p', (input, millis, out) => {
    const c = Cpu.parse(input);
    expect(c.millicores).toBe(millis);
    expect(c.toKubernetes()).toBe(out);
  });

  test('fails on a non-quantity, naming the field and the fix', () => {
    expect(() => Cpu.parse('two', 'quota.cpu')).toThrow(/quota.cpu: "two" is not a Kubernetes quantity\. Fix: use a quantity such as "500m" or "2"/);
    expect(() => Cpu.parse('0.0001')).toThrow(/finer than one millicore/);
    expect(() => Cpu.cores(-1)).toThrow(SparkPlatformError);
  });

  test('adds, multiplies and compares', () => {
    expect(Cpu.cores(1).plus(Cpu.millis(500)).times(2).toKubernetes()).toBe('3');
    expect(Cpu.cores(1).compare(Cpu.millis(999))).toBeGreaterThan(0);
  });
});

describe('Memory', () => {
  test.each([
    ['512Mi', 512 * 2 ** 20, '512Mi', '512m'],
    ['4Gi', 4 * 2 ** 30, '4Gi', '4g'],
    ['1G', 1e9, '1000000000', '1000000000'],
    ['1408Mi', 1408 * 2 ** 20, '1408Mi', '1408m'],
    ['1536Ki', 1536 * 1024, '1536Ki', '1536k'],
  ])('parses %p and writes Kubernetes %p / Spark %p', (input, bytes, k8s, spark) => {
    const m = Memory.parse(input);
    expect(m.bytes).toBe(bytes);
    expect(m.toKubernetes()).toBe(k8s);
    expect(m.toSpark()).toBe(spark);
  });

  test('parses Spark syntax: binary units, any case', () => {
    expect(Memory.parseSpark('4g').bytes).toBe(4 * 2 ** 30);
    expect(Memory.parseSpark('512M').toKubernetes()).toBe('512Mi');
    expect(Memory.parseSpark('1024k').toKubernetes()).toBe('1Mi');
    expect(() => Memory.parseSpark('4Gi', 'driver.memory')).toThrow(/driver.memory: "4Gi" is not a Spark memory size/);
  });

  test('fails on Spark syntax where a Kubernetes quantity is expected, and says what to write', () => {
    // to Kubernetes "512m" is half a byte: the mix-up this check exists for
    expect(() => Memory.parse('512m', 'quota.memory')).toThrow(/quota.memory: "512m" is Spark memory syntax, not a Kubernetes quantity\. Fix: write "512Mi"/);
    expect(() => Memory.parse('4g')).toThrow(/write "4Gi"/);
    expect(() => Memory.parse('lots')).toThrow(/not a Kubernetes quantity/);
  });

  test('adds, scales, compares', () => {
    const heap = Memory.gibibytes(1);
    expect(heap.plus(Memory.mebibytes(384)).toSpark()).toBe('1408m');
    expect(heap.times(0.1).max(Memory.mebibytes(384)).toKubernetes()).toBe('384Mi');
    expect(Memory.gibibytes(1).compare(Memory.mebibytes(1024))).toBe(0);
  });
});
