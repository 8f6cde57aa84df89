import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ActionCatalogueLoadError, readActionCatalogue } from '../../src/aws/load-action-catalogue.js'

describe('reading the catalogue', () => {
  it('names the file it could not read, with the cause', async () => {
    const missing = join(tmpdir(), 'no-such-iam-data-directory')
    const failure = readActionCatalogue({ dataDirectory: missing })
    await expect(failure).rejects.toBeInstanceOf(ActionCatalogueLoadError)
    await expect(failure).rejects.toMatchObject({
      file: join(missing, 'services.json'),
      message: `cannot read the AWS action catalogue from ${join(missing, 'services.json')}`,
      cause: expect.objectContaining({ code: 'ENOENT' }),
    })
  })
})
