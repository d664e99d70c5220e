/** The blob contract against a real S3-protocol server (s3rver) that the test starts on loopback. */
import { blobContract } from '../../ports/blobs.contract.js'
import { S3_CREDENTIALS, startS3 } from '../../../test/support/s3.js'
import { createS3BlobStore } from './s3.js'

blobContract('s3', async () => {
  const s3 = await startS3()
  const blobs = createS3BlobStore({
    bucket: s3.bucket,
    prefix: 'under/a-prefix',
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    bufferPartSize: 5 * 1024 * 1024,
  })
  return {
    blobs,
    cleanup: async () => {
      await blobs.close()
      await s3.stop()
    },
  }
}, { keepsAbortedPuts: true })
