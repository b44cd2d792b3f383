// The API contract as gapmap generates it (`gapmap openapi`, the same bytes as
// GET /api/openapi.json): valid OpenAPI 3.1 by the specification's own JSON schema, every
// $ref resolving, and every operation answering with a described body.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { gapmapBinary } from './gapmap.js';

const document = () => JSON.parse(execFileSync(gapmapBinary(), ['openapi'], { encoding: 'utf8' }));

test('the generated OpenAPI document is valid OpenAPI 3.1 and every reference resolves', async () => {
  const spec = document();
  const validator = new Validator();
  const result = await validator.validate(spec);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.match(validator.version, /^3\.1/);
  // Throws on a $ref that points nowhere.
  const resolved = validator.resolveRefs();
  assert.ok(resolved.paths['/api/v1/gaps'].get.responses['200'].content['application/json'].schema.properties);
});

test('every operation describes its success body and its errors in the error shape', () => {
  const spec = document();
  const methods = ['get', 'put', 'post', 'patch', 'delete'];
  let operations = 0;
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of methods.filter((m) => item[m])) {
      operations += 1;
      const responses = item[method].responses;
      const ok = Object.keys(responses).filter((s) => s.startsWith('2'));
      assert.ok(ok.length > 0, `${method} ${path} has no 2xx answer`);
      for (const s of ok) assert.ok(responses[s].content, `${method} ${path} ${s} has no body`);
      for (const [status, r] of Object.entries(responses)) {
        // A 304 (a tile still current) has no body, by HTTP.
        if (status.startsWith('2') || status === '304' || path === '/readyz') continue;
        assert.equal(
          r.content['application/json'].schema.$ref,
          '#/components/schemas/Error',
          `${method} ${path} ${status} is not the error shape`,
        );
      }
    }
  }
  assert.ok(operations >= 25, `only ${operations} operations`);
});
