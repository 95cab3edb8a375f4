import { describe, expect, it } from 'vitest';
import { EMPTY_SHA256, signS3Request, uriEncode } from '~/server/store/s3-signer';

// The worked example of the S3 documentation ("Signature Calculations for the Authorization
// Header: GET Object"), with its published credentials and signature.
const creds = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
};

describe('S3 Signature Version 4', () => {
  it('reproduces the documented signature of GET /test.txt with a Range header', () => {
    const headers = signS3Request(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { Range: 'bytes=0-9' },
        payloadHash: EMPTY_SHA256,
      },
      creds,
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('reproduces the documented signature of a ListObjects request (query string)', () => {
    const headers = signS3Request(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J'),
        headers: {},
        payloadHash: EMPTY_SHA256,
      },
      creds,
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers.authorization).toContain(
      'Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    );
  });

  it('encodes keys the SigV4 way', () => {
    expect(uriEncode("a b(c)*!'~")).toBe('a%20b%28c%29%2A%21%27~');
    expect(uriEncode('recordings/org/run.mcap', true)).toBe('recordings/org/run.mcap');
  });
});
