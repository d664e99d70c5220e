/**
 * A real S3-protocol server for tests: s3rver, started in this process on loopback with its own
 * directory, so the S3 adapter is tested against the wire protocol without any service to install.
 * Known gaps of s3rver (see MACHINE-NOTES): no ListParts / AbortMultipartUpload, and SigV4
 * signatures are parsed but not verified (expiry is).
 */
import { createRequire } from 'node:module'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tempDir } from './platform.js'

interface S3rverInstance {
  run(): Promise<AddressInfo>
  close(): Promise<void>
  httpServer?: Server
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance

// s3rver ships CommonJS without types; this is all of it the tests use.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

export interface TestS3 {
  readonly endpoint: string
  readonly bucket: string
  readonly region: string
  /** A CHAT4ALL_BLOBS URL for this server. */
  blobsUrl(prefix?: string): string
  /** Environment for a platform using this server. */
  env(prefix?: string): Record<string, string>
  stop(): Promise<void>
}

export async function startS3(bucket = 'chat4all-test'): Promise<TestS3> {
  const dir = tempDir('chat4all-s3rver-')
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.path,
    configureBuckets: [{ name: bucket }],
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const region = 'us-east-1'
  const blobsUrl = (prefix?: string) =>
    `s3://${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${encodeURIComponent(endpoint)}&region=${region}&force_path_style=true`
  return {
    endpoint,
    bucket,
    region,
    blobsUrl,
    env: (prefix) => ({
      CHAT4ALL_BLOBS: blobsUrl(prefix),
      CHAT4ALL_S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      CHAT4ALL_S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
    }),
    stop: async () => {
      // Keep-alive sockets from SDK clients would hold close() open.
      server.httpServer?.closeAllConnections()
      await server.close()
      dir.remove()
    },
  }
}
