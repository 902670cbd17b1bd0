export const DAILY_DIGEST_JOB = 'daily-digest';
/** Local hour of the daily slot in DISPLAY_TIMEZONE. */
export const DAILY_DIGEST_HOUR = 8;
/** Seconds-field cron (cron 4): 08:00:00 every day, read in DISPLAY_TIMEZONE. */
export const DAILY_DIGEST_CRON = `0 0 ${DAILY_DIGEST_HOUR} * * *`;
