/** One sample of a Prometheus text exposition: `name{label="value",...} value`. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PrometheusFamily {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** The samples a family of each type may hold, by suffix. */
const SUFFIXES: Record<PrometheusFamily['type'], string[]> = {
  counter: ['', '_total'],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/**
 * A scrape parsed by the rules of Prometheus' text format 0.0.4 (HELP and TYPE lines, escaped label values,
 * NaN and ±Inf as Go parses them, optional timestamps), strictly: a malformed line, a sample before its family's TYPE or outside
 * its type's suffixes, a repeated series, or a histogram whose buckets decrease or lack `+Inf` = `_count`
 * throws, naming the line. Tests read series from it with `value`, `sum` and `series`.
 */
export class PrometheusText {
  readonly families = new Map<string, PrometheusFamily>();
  readonly samples: PrometheusSample[] = [];

  constructor(text: string) {
    const seen = new Set<string>();
    text.split('\n').forEach((line, index) => {
      const where = `line ${index + 1} (${line.slice(0, 120)})`;
      if (line.trim() === '') return;
      if (line.startsWith('#')) return this.comment(line, where);
      const sample = parseSample(line, where);
      const family = this.familyOf(sample.name);
      if (!family) throw new Error(`${where}: sample of a metric with no TYPE line before it`);
      const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
      if (seen.has(key)) throw new Error(`${where}: the series appears twice`);
      seen.add(key);
      this.samples.push(sample);
    });
    for (const [name, family] of this.families) if (family.type === 'histogram') this.checkHistogram(name);
  }

  /** The samples of `name` whose labels include `labels`. */
  series(name: string, labels: Record<string, string> = {}): PrometheusSample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The one sample of `name` with these labels (throws when there is none or several). */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.series(name, labels);
    if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}, not 1`);
    return found[0].value;
  }

  /** The sum over the samples of `name` whose labels include `labels` (0 when there are none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.series(name, labels).reduce((total, s) => total + s.value, 0);
  }

  private comment(line: string, where: string): void {
    const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (!match) return; // other comments are allowed
    const [, keyword, name, rest = ''] = match;
    if (!NAME.test(name)) throw new Error(`${where}: '${name}' is not a metric name`);
    const family = this.families.get(name) ?? { type: 'untyped', help: '' };
    if (keyword === 'HELP') family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    else {
      if (!TYPES.has(rest)) throw new Error(`${where}: unknown type '${rest}'`);
      if (this.samples.some((s) => this.familyOf(s.name) === family)) throw new Error(`${where}: TYPE after the family's samples`);
      family.type = rest as PrometheusFamily['type'];
    }
    this.families.set(name, family);
  }

  private familyOf(sampleName: string): PrometheusFamily | undefined {
    for (const [name, family] of this.families) {
      if (SUFFIXES[family.type].some((suffix) => sampleName === name + suffix)) return family;
    }
    return undefined;
  }

  private checkHistogram(name: string): void {
    const groups = new Map<string, PrometheusSample[]>();
    for (const sample of this.series(`${name}_bucket`)) {
      const { le, ...rest } = sample.labels;
      if (le === undefined) throw new Error(`${name}_bucket has a sample without le`);
      const key = JSON.stringify(Object.entries(rest).sort());
      groups.set(key, [...(groups.get(key) ?? []), sample]);
    }
    for (const [key, buckets] of groups) {
      const labels = Object.fromEntries(JSON.parse(key) as [string, string][]);
      const sorted = [...buckets].sort((a, b) => Number(a.labels.le) - Number(b.labels.le));
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i].value < sorted[i - 1].value) throw new Error(`${name}${key}: bucket le=${sorted[i].labels.le} holds less than le=${sorted[i - 1].labels.le}`);
      }
      const inf = sorted.at(-1);
      if (inf?.labels.le !== '+Inf') throw new Error(`${name}${key} has no +Inf bucket`);
      if (inf.value !== this.value(`${name}_count`, labels)) throw new Error(`${name}${key}: the +Inf bucket is not _count`);
    }
  }
}

function parseSample(line: string, where: string): PrometheusSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`${where}: no metric name`);
  const name = nameMatch[0];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at += 1;
    while (line[at] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at));
      if (!labelMatch || !LABEL_NAME.test(labelMatch[1])) throw new Error(`${where}: malformed label at column ${at + 1}`);
      at += labelMatch[0].length;
      let value = '';
      for (; at < line.length && line[at] !== '"'; at++) {
        if (line[at] === '\\') {
          const escaped = line[++at];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else throw new Error(`${where}: unknown escape \\${escaped}`);
        } else value += line[at];
      }
      if (line[at] !== '"') throw new Error(`${where}: unterminated label value`);
      if (labelMatch[1] in labels) throw new Error(`${where}: label ${labelMatch[1]} twice`);
      labels[labelMatch[1]] = value;
      at += 1;
      if (line[at] === ',') at += 1;
      else if (line[at] !== '}') throw new Error(`${where}: expected , or } at column ${at + 1}`);
    }
    at += 1;
  }
  const rest = line.slice(at).split(' ');
  if (rest[0] !== '' || rest.length < 2 || rest.length > 3) throw new Error(`${where}: expected 'name{labels} value [timestamp]'`);
  const value = parseValue(rest[1]);
  if (value === undefined) throw new Error(`${where}: '${rest[1]}' is not a sample value`);
  if (rest[2] !== undefined && !/^-?\d+$/.test(rest[2])) throw new Error(`${where}: '${rest[2]}' is not a timestamp`);
  return { name, labels, value };
}

/** A value as Prometheus reads it (Go's strconv.ParseFloat): NaN and ±Inf in any case, as prom-client writes `Nan`. */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const infinity = /^([-+]?)inf(inity)?$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Fetches and parses a /metrics endpoint; throws unless it answers 200 as Prometheus text 0.0.4. */
export async function scrapeMetrics(url: string, token?: string): Promise<PrometheusText> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  const type = response.headers.get('content-type') ?? '';
  const [mediaType, ...parameters] = type.split(';').map((part) => part.trim());
  if (mediaType !== 'text/plain' || !parameters.includes('version=0.0.4')) throw new Error(`GET ${url} answered content-type '${type}', not Prometheus text 0.0.4`);
  return new PrometheusText(text);
}
