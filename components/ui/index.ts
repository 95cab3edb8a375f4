/**
 * The portal's UI kit. Pages and domain components build from these and from the classes in
 * app/globals.css (whose :root block holds every colour, spacing and type token); no inline styles.
 */
export { Button, ButtonLink } from './button';
export type { ButtonVariant } from './button';
export { Field, Input, Textarea } from './field';
export type { ControlWidth } from './field';
export { Select } from './select';
export type { SelectOption } from './select';
export { Table, Td, Th } from './table';
export { Card } from './card';
export { Badge, StateBadge } from './badge';
export type { BadgeTone } from './badge';
export { ProgressBar } from './progress';
export { Tabs } from './tabs';
export type { TabItem } from './tabs';
export { EmptyState } from './empty-state';
export { Stat, StatGrid } from './stat';
export { Dialog } from './dialog';
export { ConfirmButton } from './confirm-button';
export { Alert, DetailHeader, SectionTitle, Toolbar } from './layout';
export { NotFoundPanel, QueryError } from './not-found';
export { cx } from './cx';
export { formatClock, formatPercent, formatTime, relative, TIME_ZONE_MODES } from './format';
export type { TimeZoneMode } from './format';
export { Time, TimeZoneProvider, useTimeFormat } from './time';
