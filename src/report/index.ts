// Charts and export: reads only from a ResultStore, writes a static, offline, self-contained site.
export {
  type BuildReportOptions,
  buildReport,
  type ReportProgress,
  type ReportSummary,
} from './build-report.js';
export { CONTENT_SECURITY_POLICY } from './page-shell.js';
export { type ReportCommandOptions, runReportCommand } from './report-command.js';
export { safeUserFileName } from './safe-file-name.js';
export { type ServedReport, type ServeReportOptions, serveReport } from './serve-report.js';
