import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSenderAliases } from '../../src/events/sender-aliases.js';

test('the aliases file: logins resolved, patterns lower-cased, comments and blank lines skipped, bad lines named', () => {
  const { aliases, problems } = parseSenderAliases(
    [
      '# comment',
      '',
      '  John@Example.COM   Sales@Example.com  *@Example.org   # trailing comment',
      'office info@example.com',
      'office billing@example.com',
      'lonely',
      'x@example.com *@',
      'y@example.com a*b@example.com',
      '*@example.com sales@example.com',
      'z@example.com ' + 'a'.repeat(5000) + '@example.com',
    ].join('\n'),
    { defaultDomain: 'example.com' },
  );
  assert.deepEqual([...aliases.keys()], ['john@example.com', 'office@example.com']);
  assert.deepEqual(aliases.get('john@example.com'), [
    { kind: 'address', local: 'sales', domain: 'example.com' },
    { kind: 'domain', domain: 'example.org' },
  ]);
  assert.equal(aliases.get('office@example.com')?.length, 2, 'a login on two lines keeps both');
  assert.deepEqual(problems.map((p) => p.line), [6, 7, 8, 9, 10]);
});

test('property: any text parses without throwing; every problem names a line of the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), fc.option(fc.constantFrom('example.com', 'example.org'), { nil: null }), (text, defaultDomain) => {
      const { aliases, problems } = parseSenderAliases(text, { defaultDomain });
      const lines = text.split('\n').length;
      for (const p of problems) assert.ok(p.line >= 1 && p.line <= lines);
      for (const [login, patterns] of aliases) {
        assert.equal(login, login.toLowerCase());
        assert.ok(patterns.length > 0);
      }
    }),
    { numRuns: 2000 },
  );
});
