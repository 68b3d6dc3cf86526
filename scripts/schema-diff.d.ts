/** Types of scripts/schema-diff.js (the breaking-change check), for test/schema-breaking.test.ts. */
import type { Change } from '@graphql-inspector/core';

export interface BreakingChange {
  /** What a changelog line must name: `Type.field`, `Enum.VALUE` or `Type`. */
  coordinate: string;
  type: string;
  message: string;
  listed: boolean;
}
export interface CheckResult {
  heading: string | null;
  /** The top section is the base release's own section (no "Unreleased" above it). */
  released: boolean;
  breaking: BreakingChange[];
  unlisted: BreakingChange[];
}
export interface Base {
  ref: string | null;
  label?: string;
  version?: string | null;
  reason?: string;
  fatal?: boolean;
}
export function breakingChanges(oldSdl: string, newSdl: string): Promise<Change[]>;
export function coordinate(change: Change): string;
export function topSection(changelog: string): { heading: string | null; text: string };
export function breakingItems(sectionText: string): string[];
export function isListed(change: Change, items: string[]): boolean;
export function check(args: { oldSdl: string; newSdl: string; changelog: string; baseVersion?: string | null }): Promise<CheckResult>;
export function findBase(cwd: string, env?: Record<string, string | undefined>): Base;
export function schemaAt(ref: string, cwd: string): string | null;
export function checkRepository(cwd: string, env?: Record<string, string | undefined>): Promise<{ base: Base; result: CheckResult | null }>;
export function report(r: { base: Base; result: CheckResult }): string;
