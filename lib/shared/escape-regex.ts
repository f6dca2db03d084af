/**
 * `text` as a literal inside a regular expression written between slashes: cdk-nag suppressions name the
 * findings they cover by such expressions.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
