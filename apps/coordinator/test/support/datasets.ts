/** A daily series with a weekly cycle: date, sales, temperature. */
export function aCsv(rows = 60, start = Date.UTC(2024, 0, 1)): string {
  const lines = ['date,sales,temperature'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day},${(100 + 20 * Math.sin((2 * Math.PI * i) / 7) + i * 0.5).toFixed(2)},${(10 + 5 * Math.cos(i / 30)).toFixed(1)}`);
  }
  return lines.join('\n') + '\n';
}
