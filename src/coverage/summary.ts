/**
 * What a suite never touched, as text for a person (docs/coverage.md "Reading the summary"):
 * every command declared by FEATURES with each allowed form never used and whether it was ever
 * answered OK, every URC of the catalogue never seen, and what was sent or seen that nothing
 * declares. Totals first.
 */
import type { Feature } from '../feature/feature.ts';
import { declaredCommands } from './declared.ts';
import type { CoverageReport } from './report.ts';
import { textTable } from './table.ts';
import { catalogueKey, URC_CATALOGUE, type UrcEntry } from './urc-catalogue.ts';

const counted = (record: Readonly<Record<string, number>>) =>
  Object.entries(record)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');

export function coverageSummary(
  report: CoverageReport,
  opts: { features?: readonly Feature<any>[]; urcs?: readonly UrcEntry[] } = {},
): string {
  const declared = declaredCommands(opts.features);
  const catalogue = opts.urcs ?? URC_CATALOGUE;
  let touched = 0;
  let formsUsed = 0;
  let formsTotal = 0;
  let answeredOk = 0;
  const rows: string[][] = [];
  for (const command of declared) {
    const entry = report.commands[command.key];
    const unused = command.forms.filter((form) => !(entry?.forms[form] ?? 0));
    const ok = (entry?.outcomes.OK ?? 0) > 0;
    const used = command.forms.length - unused.length;
    formsTotal += command.forms.length;
    formsUsed += used;
    if (used > 0) touched++;
    if (ok) answeredOk++;
    if (unused.length === 0 && ok) continue;
    const others = entry && Object.keys(entry.outcomes).length > 0 ? ` (${counted(entry.outcomes)})` : '';
    rows.push([command.key, command.group, unused.join(', ') || '-', ok ? 'yes' : `never${others}`]);
  }
  const known = new Set(declared.map((c) => c.key));
  const unseen = catalogue.filter((urc) => !(report.urcs[catalogueKey(urc)] ?? 0));
  const listed = new Set(catalogue.map(catalogueKey));

  const out: string[] = [
    `AT coverage: commands ${touched}/${declared.length} touched, forms ${formsUsed}/${formsTotal} used, ` +
      `${answeredOk}/${declared.length} answered OK, URCs ${catalogue.length - unseen.length}/${catalogue.length} seen`,
  ];
  if (rows.length > 0) {
    out.push('', `Commands with a form never used or never answered OK (${rows.length} of ${declared.length}):`);
    out.push(textTable(['COMMAND', 'GROUP', 'FORMS NEVER USED', 'ANSWERED OK'], rows));
  } else out.push('', 'Every declared command was sent in every form and answered OK.');
  if (unseen.length > 0) {
    out.push('', `URCs never seen (${unseen.length} of ${catalogue.length}):`);
    out.push(textTable(['URC', 'GROUP'], unseen.map((urc) => [catalogueKey(urc), urc.group])));
  } else out.push('', 'Every URC in the catalogue was seen.');

  const strangers = Object.entries(report.commands).filter(([key]) => !known.has(key));
  if (strangers.length > 0) {
    out.push('', `Sent, but declared by no group (${strangers.length}):`);
    out.push(textTable(['COMMAND', 'FORMS', 'OUTCOMES'], strangers.map(([key, e]) => [key, counted(e.forms), counted(e.outcomes)])));
  }
  const extra = Object.entries(report.urcs).filter(([key]) => !listed.has(key));
  if (extra.length > 0) {
    out.push('', `URCs seen that the catalogue does not list (${extra.length}):`);
    out.push(textTable(['URC', 'COUNT'], extra.map(([key, n]) => [key, String(n)])));
  }
  return `${out.join('\n')}\n`;
}
