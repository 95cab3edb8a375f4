/** A small dot in a series' colour, to key a table column or label to a chart line. */
export function Swatch({ color }: { color: string }) {
  return (
    <svg className="swatch" width="10" height="10" viewBox="0 0 10 10" aria-hidden>
      <circle cx="5" cy="5" r="4.5" fill={color} />
    </svg>
  );
}
