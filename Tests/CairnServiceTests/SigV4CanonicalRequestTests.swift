import CairnService
import Testing

/// URI and query rules checked directly, beyond the AWS suite's cases.
@Suite struct SigV4CanonicalRequestTests {
    @Test func pathIsNormalisedAndEncodedTwiceOutsideS3() {
        #expect(SigV4CanonicalRequest.uri(rawPath: "", isS3: false) == "/")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/a/./b/../c//d/", isS3: false) == "/a/c/d/")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/../..", isS3: false) == "/")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/a%20b/caf%C3%A9", isS3: false) == "/a%2520b/caf%25C3%25A9")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/a/%2E%2E/b", isS3: false) == "/a/%252E%252E/b")
    }

    @Test func s3PathIsEncodedOnceAndNotNormalised() {
        #expect(SigV4CanonicalRequest.uri(rawPath: "", isS3: true) == "/")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/b/a/./c/../d//", isS3: true) == "/b/a/./c/../d//")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/b/k%20e*y(1)", isS3: true) == "/b/k%20e%2Ay%281%29")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/b/a%2Fb~", isS3: true) == "/b/a%2Fb~")
        #expect(SigV4CanonicalRequest.uri(rawPath: "/b/100%", isS3: true) == "/b/100%25")
    }

    @Test func queryIsSortedByEncodedNameThenValue() {
        #expect(SigV4CanonicalRequest.query(rawQuery: "b=2&a=2&a=1&A=3") == "A=3&a=1&a=2&b=2")
        #expect(SigV4CanonicalRequest.query(rawQuery: "uploads&x=a+b&y=%7e%2f") == "uploads=&x=a%2Bb&y=~%2F")
        #expect(SigV4CanonicalRequest.query(rawQuery: "&&a=1&") == "a=1")
        #expect(
            SigV4CanonicalRequest.query(rawQuery: "X-Amz-Signature=abc&a=1", excludesSignatureParameter: true) == "a=1"
        )
    }
}
