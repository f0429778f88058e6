import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { PrometheusText } from './prometheus-text';

describe(PrometheusText.name, () => {
  it("reads prom-client's exposition: families, escaped labels, histograms", async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'c_total', help: 'a "counter"\\ with\nnewline', labelNames: ['route'], registers: [registry] });
    counter.inc({ route: 'a "quoted" \\ value\nsecond line' }, 2);
    const histogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['m'], buckets: [0.1, 1], registers: [registry] });
    histogram.observe({ m: 'GET' }, 0.5);
    histogram.observe({ m: 'GET' }, 5);
    const sut = new PrometheusText(await registry.metrics());
    assert.equal(sut.families.get('c_total')?.type, 'counter');
    assert.equal(sut.value('c_total', { route: 'a "quoted" \\ value\nsecond line' }), 2);
    assert.equal(sut.value('h_seconds_bucket', { m: 'GET', le: '0.1' }), 0);
    assert.equal(sut.value('h_seconds_bucket', { m: 'GET', le: '1' }), 1);
    assert.equal(sut.value('h_seconds_bucket', { m: 'GET', le: '+Inf' }), 2);
    assert.equal(sut.value('h_seconds_count', { m: 'GET' }), 2);
    assert.equal(sut.value('h_seconds_sum', { m: 'GET' }), 5.5);
    assert.equal(sut.sum('h_seconds_bucket'), 3);
  });

  it('reads NaN and infinities as Prometheus does, in any case', () => {
    const sut = new PrometheusText('# TYPE g gauge\ng{a="1"} Nan\ng{a="2"} +Inf\ng{a="3"} -inf\ng{a="4"} 1.5e3 1700000000000');
    assert.ok(Number.isNaN(sut.value('g', { a: '1' })));
    assert.equal(sut.value('g', { a: '2' }), Infinity);
    assert.equal(sut.value('g', { a: '3' }), -Infinity);
    assert.equal(sut.value('g', { a: '4' }), 1500);
  });

  it('refuses what Prometheus would not read, naming the line', () => {
    const cases: [string, RegExp][] = [
      ['x 1', /line 1.*no TYPE/],
      ['# TYPE x gauge\nx{a="1" 1', /line 2/],
      ['# TYPE x gauge\nx{a="1"} one', /not a sample value/],
      ['# TYPE x gauge\nx{a="\\q"} 1', /unknown escape/],
      ['# TYPE x gauge\nx 1\nx 2', /line 3.*twice/],
      ['# TYPE x flavour', /unknown type/],
      ['# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1', /holds less/],
      ['# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1', /no \+Inf/],
    ];
    for (const [text, error] of cases) assert.throws(() => new PrometheusText(text), error, text);
  });
});
