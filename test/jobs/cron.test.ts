import { CronDialect, cronProblem, timeZoneProblem } from '../../constructs/jobs/cron';

const { KUBERNETES, OPERATOR } = CronDialect;
const BOTH = [KUBERNETES, OPERATOR];

describe('cronProblem', () => {
  describe.each(BOTH)('in the %s dialect', (dialect) => {
    it.each([
      '* * * * *',
      '0 0 * * *',
      '*/15 * * * *',
      '0 6 * * 1-5',
      '0 6 * * MON-FRI',
      '0 6 * * mon,Wed,FRI',
      '30 2 1 jan,Jul *',
      '0 0 1-31/2 JAN-DEC/3 *',
      '5/10 0-23/6 ? * ?',
      '59 23 31 12 6',
      '0 0 1,15 * *',
      '  0   6  *  *  *  ',
      '0\t6 * * *',
      '@yearly',
      '@annually',
      '@monthly',
      '@weekly',
      '@daily',
      '@midnight',
      '@hourly',
    ])('accepts %p', (schedule) => {
      expect(cronProblem(schedule, dialect)).toBeUndefined();
    });

    it.each([
      ['', 'is empty'],
      ['   ', 'is empty'],
      ['0 0 * * * *', 'has 6 fields ("0 0 * * * *"); a schedule has 5: minute hour day-of-month month day-of-week'],
      ['0 0 * *', 'has 4 fields'],
      ['daily', 'has 1 field ("daily")'],
      ['61 * * * *', 'field 1 (minute) "61" is above 59'],
      ['0 25 * * *', 'field 2 (hour) "25" is above 23'],
      ['0 0 0 * *', 'field 3 (day-of-month) "0" is below 1'],
      ['0 0 32 * *', 'field 3 (day-of-month) "32" is above 31'],
      ['0 0 * 13 *', 'field 4 (month) "13" is above 12'],
      ['0 0 * 0 *', 'field 4 (month) "0" is below 1'],
      ['0 0 * * 7', 'field 5 (day-of-week) "7" is above 6'],
      ['0 0 * * 1-7', 'field 5 (day-of-week) "7" is above 6'],
      ['0 50/5 * * *', 'field 2 (hour) "50" is above 23'],
      ['x * * * *', 'field 1 (minute) "x" is not a number'],
      ['0 0 * JANUARY *', 'field 4 (month) "JANUARY" is not a number or a name (JAN-DEC)'],
      ['0 0 * * SUNDAY', 'field 5 (day-of-week) "SUNDAY" is not a number or a name (SUN-SAT)'],
      ['0 0 * * MON-', 'field 5 (day-of-week) "" is not a number'],
      ['0 0 MON * *', 'field 3 (day-of-month) "MON" is not a number'],
      ['-5 * * * *', 'field 1 (minute) "" is not a number'],
      ['10-5 * * * *', 'field 1 (minute) range "10-5" starts after it ends'],
      ['0 0 * * FRI-MON', 'field 5 (day-of-week) range "FRI-MON" starts after it ends'],
      ['*/0 * * * *', 'field 1 (minute) step "0" in "*/0" is not positive'],
      ['0 1-5/0 * * *', 'step "0" in "1-5/0" is not positive'],
      ['*/x * * * *', 'step "x" in "*/x" is not a number'],
      ['*/ * * * *', 'step "" in "*/" is not a number'],
      ['0 0 * JAN/FEB *', 'step "FEB" in "JAN/FEB" is not a number'],
      ['1/2/3 * * * *', 'field 1 (minute) "1/2/3" has more than one "/"'],
      ['1-2-3 * * * *', 'field 1 (minute) "1-2-3" has more than one "-"'],
      ['1,,2 * * * *', 'field 1 (minute) "1,,2" has an empty list item'],
      ['0 0 * * 1,', 'field 5 (day-of-week) "1," has an empty list item'],
      ['? * * * *', 'field 1 (minute) "?" is only allowed in day-of-month and day-of-week'],
      ['0 0 * ? *', 'field 4 (month) "?" is only allowed'],
      ['@Daily', '"@Daily" is not a known descriptor (@yearly, @annually'],
      ['@reboot', '"@reboot" is not a known descriptor'],
      ['@daily 0', '"@daily 0" is not a known descriptor'],
      ['@everyday', '"@everyday" is not a known descriptor'],
    ])('refuses %p: %s', (schedule, problem) => {
      expect(cronProblem(schedule, dialect)).toContain(problem);
    });
  });

  describe('in the kubernetes dialect', () => {
    it.each([
      ['@every 5m', '"@every 5m" is not supported by Kubernetes CronJobs (they accept 5 fields or @hourly/@daily/@weekly/@monthly/@yearly)'],
      ['@every', '"@every" is not supported by Kubernetes CronJobs'],
      ['CRON_TZ=Europe/Berlin 0 6 * * *', '"CRON_TZ=Europe/Berlin" prefix is rejected by Kubernetes >= 1.27'],
      ['TZ=UTC @daily', '"TZ=UTC" prefix is rejected by Kubernetes >= 1.27'],
      ['TZ=Mars/Olympus 0 6 * * *', '"TZ=Mars/Olympus" prefix is rejected'],
    ])('refuses %p: %s', (schedule, problem) => {
      expect(cronProblem(schedule, KUBERNETES)).toContain(problem);
    });

    it('does not offer @every among the known descriptors', () => {
      expect(cronProblem('@often', KUBERNETES)).not.toContain('@every');
    });
  });

  describe('in the operator dialect', () => {
    it.each([
      '@every 10m',
      '@every 1h30m',
      '@every 90s',
      '@every 1.5h',
      '@every .5h',
      '@every 500ms',
      '@every 100us',
      '@every 100µs',
      '@every 1ns',
      '@every +5m',
      'CRON_TZ=Europe/Berlin 0 6 * * *',
      'TZ=UTC 0 6 * * MON-FRI',
      'CRON_TZ=Etc/UTC @daily',
      'TZ=America/New_York @every 1h',
      '  CRON_TZ=Asia/Tokyo   30 9 * * *  ',
    ])('accepts %p', (schedule) => {
      expect(cronProblem(schedule, OPERATOR)).toBeUndefined();
    });

    it.each([
      ['@every', '"@every" has no duration'],
      ['@every 5 minutes', '"5 minutes" in "@every 5 minutes" is not a Go duration'],
      ['@every 5', '"5" in "@every 5" is not a Go duration'],
      ['@every 5d', '"5d" in "@every 5d" is not a Go duration'],
      ['@every 1h 30m', '"1h 30m" in "@every 1h 30m" is not a Go duration'],
      ['@every  5m', '" 5m" in "@every  5m" is not a Go duration'],
      ['@every .h', '".h" in "@every .h" is not a Go duration'],
      ['@every 0', '"0" in "@every 0" is not positive'],
      ['@every 0s', '"0s" in "@every 0s" is not positive'],
      ['@every 0.0h0m', '"0.0h0m" in "@every 0.0h0m" is not positive'],
      ['@every -5m', '"-5m" in "@every -5m" is not positive'],
      ['CRON_TZ=Mars/Olympus 0 6 * * *', '"CRON_TZ=Mars/Olympus" prefix: "Mars/Olympus" is not an IANA time zone name'],
      ['TZ=Local 0 6 * * *', '"TZ=Local" prefix: "Local" means the controller\'s own time zone'],
      ['CRON_TZ= 0 6 * * *', '"CRON_TZ=" prefix: is empty'],
      ['CRON_TZ=europe/berlin 0 6 * * *', 'prefix: "europe/berlin" is spelled "Europe/Berlin"'],
      ['CRON_TZ=Europe/Berlin', '"CRON_TZ=Europe/Berlin" prefix is not followed by a schedule'],
      ['CRON_TZ=UTC 0 25 * * *', 'field 2 (hour) "25" is above 23'],
      ['CRON_TZ=UTC 0 6 * *', 'has 4 fields ("0 6 * *")'],
      ['CRON_TZ=UTC @often', '"@often" is not a known descriptor'],
    ])('refuses %p: %s', (schedule, problem) => {
      expect(cronProblem(schedule, OPERATOR)).toContain(problem);
    });

    it('offers @every among the known descriptors', () => {
      expect(cronProblem('@often', OPERATOR)).toContain('@every <duration>');
    });
  });
});

describe('timeZoneProblem', () => {
  it.each(['UTC', 'Etc/UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Etc/GMT+5'])('accepts %p', (zone) => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });

  it.each([
    ['', 'is empty'],
    ['Local', '"Local" means the controller\'s own time zone, not a fixed one'],
    ['local', '"local" means the controller\'s own time zone'],
    ['Mars/Olympus', '"Mars/Olympus" is not an IANA time zone name'],
    ['Berlin', '"Berlin" is not an IANA time zone name'],
    [' UTC', '" UTC" is not an IANA time zone name'],
    ['+02:00', '"+02:00"'],
    ['utc', '"utc" is spelled "UTC" in the tz database (names are case-sensitive)'],
    ['EUROPE/BERLIN', '"EUROPE/BERLIN" is spelled "Europe/Berlin"'],
    ['etc/utc', '"etc/utc" is not capitalized as in the tz database'],
  ])('refuses %p: %s', (zone, problem) => {
    expect(timeZoneProblem(zone)).toContain(problem);
  });
});
