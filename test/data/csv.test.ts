import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvFeatures } from '../../src/data/csv.js';
import { MlpError } from '../../src/errors.js';

describe('parseCsv', () => {
  it('reads numeric features and a label column, with a header detected', () => {
    const data = parseCsv(
      'length,width,species\n1.5,2,setosa\r\n-3e2, .5 ,virginica\n\n4,5,setosa\n',
      'iris.csv',
    );
    expect(data).toMatchObject({ count: 3, inputSize: 2, outputSize: 2, width: 2, height: 1 });
    expect([...data.inputs]).toEqual([1.5, 2, -300, 0.5, 4, 5]);
    expect(data.classNames).toEqual(['setosa', 'virginica']);
    expect([...data.labels]).toEqual([0, 1, 0]);
    expect([...data.targets]).toEqual([1, 0, 0, 1, 1, 0]);
    expect(data.featureNames).toEqual(['length', 'width']);
    expect(data.sources).toEqual(['iris.csv:2', 'iris.csv:3', 'iris.csv:5']);
  });

  it('reads files without a header, numeric labels sorted by value, any label column', () => {
    const data = parseCsv('10,1,2\n2,3,4\n10,5,6\n', 'n.csv', { label: 0, targets: '0.1/0.9' });
    expect(data.classNames).toEqual(['2', '10']);
    expect([...data.labels]).toEqual([1, 0, 1]);
    expect([...data.inputs]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...data.targets].map((t) => Math.round(t * 10) / 10)).toEqual([0.1, 0.9, 0.9, 0.1, 0.1, 0.9]);
    expect(data.featureNames).toEqual(['column 2', 'column 3']);
  });

  it('honours quotes, named label columns, other delimiters and given classes', () => {
    const data = parseCsv('"a;b";kind\n1;"x ""big"" one"\n2;y\n', 's.csv', {
      delimiter: ';',
      label: 'kind',
      classNames: ['y', 'x "big" one', 'z'],
    });
    expect([...data.labels]).toEqual([1, 0]);
    expect(data.outputSize).toBe(3);
    expect(data.featureNames).toEqual(['a;b']);
  });

  it('names the line and column of every problem', () => {
    const cases: [string, RegExp, object?][] = [
      [
        'a,b\nx,1\n',
        /f\.csv, line 2, column 1 \(a\): expected a finite number, found 'x'/,
        { label: 1, header: true },
      ],
      ['1,2,a\n3,,b\n', /line 2, column 2 \(column 2\): expected a finite number, found ''/],
      ['1,2,a\n3,1e999,b\n', /line 2, column 2 .* found '1e999'/],
      ['1,2,a\n3,4\n', /line 2: found 2 columns, expected 3 as on line 1/],
      ['1,a\n2, \n', /line 2, column 2 \(column 2\): the label is empty/],
      ['1,"a\n2,b\n', /line 1: a quoted field is never closed/],
      ['1,a\n2,a\n', /every row has the label 'a'/],
      ['justone\n', /found 1 column/],
      ['', /no rows/],
      ['x,y\n', /a header but no data rows/],
      [
        '1,a\n2,b\n',
        /line 2, column 2 .* the label 'b' is not one of the classes a, c/,
        { classNames: ['a', 'c'] },
      ],
      ['1,a\n', /no column is named 'kind'/, { label: 'kind' }],
      ['1,a\n', /label column 5 is not in 0\.\.1/, { label: 5 }],
    ];
    for (const [text, message, options] of cases) {
      expect(() => parseCsv(text, 'f.csv', options)).toThrow(message);
      expect(() => parseCsv(text, 'f.csv', options)).toThrow(MlpError);
    }
  });
});

describe('values beyond float32', () => {
  // Found by the fuzzer (test/data/fuzz.test.ts, seeds 1605412162 and -777125069): one byte of '-6.875'
  // set to 'e' gives '-6.e75', finite in JavaScript, -Infinity once stored in the Float32Array of inputs.
  it('rejects a feature that float32 cannot hold, naming where it is', () => {
    for (const read of [
      () => parseCsv('-9,-6.875,-4.75,cat\n-5.125,-3,-0.875,"dog, big"'.replace('-6.875', '-6.e75'), 'f.csv'),
      () => parseCsv('-9.75,\0\0cat\n-5.e75,"\0dog, big"', 'f.csv'),
      () => parseCsvFeatures('1,2\n3,3.5e38\n', 'p.csv', 2),
    ]) {
      expect(read).toThrow(MlpError);
      expect(read).toThrow(/line \d, column \d.*beyond the float32 range/);
    }
    expect(() => parseCsv('-9,-6.e75,cat\n1,2,dog\n', 'f.csv')).toThrow(
      "f.csv, line 1, column 2 (column 2): '-6.e75' is beyond the float32 range (±3.4e38) in which features are stored",
    );
  });

  it('keeps the largest float32 and lets tiny values round to zero', () => {
    const data = parseCsv('3.4028234e38,1e-50,a\n-3.4028234e38,0,b\n', 'f.csv');
    expect([...data.inputs]).toEqual([Math.fround(3.4028234e38), 0, -Math.fround(3.4028234e38), 0]);
    // a numeric label beyond float32 is only a class name
    expect(parseCsv('1,1e300\n2,1\n', 'n.csv').classNames).toEqual(['1', '1e+300']);
  });
});

describe('numeric labels', () => {
  it('treats 1 and 1.0 as one class', () => {
    const data = parseCsv('0,1.0\n1,1\n2,2\n', 'n.csv');
    expect(data.classNames).toEqual(['1', '2']);
    expect([...data.labels]).toEqual([0, 0, 1]);
  });
});

describe('parseCsvFeatures', () => {
  it('reads unlabelled rows for prediction, skipping a header', () => {
    const rows = parseCsvFeatures('a,b\n1,2\n3,4\n', 'p.csv', 2);
    expect([...rows.inputs]).toEqual([1, 2, 3, 4]);
    expect(rows.sources).toEqual(['p.csv:2', 'p.csv:3']);
    expect(() => parseCsvFeatures('1,2,3\n', 'p.csv', 2)).toThrow(
      /line 1: found 3 columns, expected the model's 2 features/,
    );
    expect(() => parseCsvFeatures('1,2\n3,x\n', 'p.csv', 2)).toThrow(
      /line 2, column 2: expected a finite number/,
    );
  });
});
