'use client';

import { CollapsibleSection, type SectionControl } from './collapsible-section';
import { LabelEditor, summarizeLabels, type LabelRow } from './label-editor';

type Props = SectionControl & {
  value: LabelRow[];
  onChange: (value: LabelRow[]) => void;
  /** Error for the label with this key, as found by the schema. */
  errorFor: (name: string) => string | undefined;
  /** A problem with the labels as a whole, e.g. a key typed twice. */
  labelsError?: string;
};

/** The collapsible "Labels" section: Docker labels on every replica. */
export function LabelFields({ value, onChange, errorFor, labelsError, ...section }: Props) {
  return (
    <CollapsibleSection title="Labels" summary={summarizeLabels(value)} {...section}>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Docker labels on every replica, e.g. team or cost centre. Keys starting with capstan. are
        Capstan&apos;s own.
      </p>
      <LabelEditor rows={value} onChange={onChange} errorFor={errorFor} />
      {labelsError && <p className="text-xs text-red-600 dark:text-red-400">{labelsError}</p>}
    </CollapsibleSection>
  );
}
