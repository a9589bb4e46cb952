import CairnService
import Testing

@Suite struct APIModelTests {
    @Test func everyOperationHasStructureInputAndOutputShapes() {
        #expect(APIService.cloudTrail.operations.count == 60)
        #expect(APIService.cloudTrailData.operations.map(\.name) == ["PutAuditEvents"])
        for service in [APIService.cloudTrail, .cloudTrailData] {
            for operation in service.operations {
                let input = operation.input
                let output = operation.output
                #expect(input.map { service.shapes[$0].kind } == .structure, "\(operation.name) input")
                #expect(output.map { service.shapes[$0].kind } == .structure, "\(operation.name) output")
                #expect(service.operation(named: operation.name)?.name == operation.name)
                #expect(!operation.errors.isEmpty, "\(operation.name) models no errors")
            }
        }
    }

    @Test func everyShapeReferenceIsInRangeAndFitsItsKind() {
        for service in [APIService.cloudTrail, .cloudTrailData] {
            let count = service.shapes.count
            for (index, shape) in service.shapes.enumerated() {
                #expect(service.shapeIndex(named: shape.name) == index)
                for member in shape.members {
                    #expect((0..<count).contains(member.shape), "\(shape.name).\(member.name)")
                }
                switch shape.kind {
                case .list: #expect(shape.listMember.map { (0..<count).contains($0) } == true, "\(shape.name)")
                case .map:
                    #expect(shape.mapKey.map { service.shapes[$0].kind } == .string, "\(shape.name) key")
                    #expect(shape.mapValue.map { (0..<count).contains($0) } == true, "\(shape.name) value")
                case .structure: break
                default: #expect(shape.members.isEmpty)
                }
                if !shape.enumValues.isEmpty || shape.pattern != nil { #expect(shape.kind == .string, "\(shape.name)") }
            }
        }
    }

    @Test func everyExceptionShapeIsAnErrorCodeCase() {
        var modeled = Set<CloudTrailErrorCode>()
        for service in [APIService.cloudTrail, .cloudTrailData] {
            for shape in service.shapes where shape.isException {
                let code = CloudTrailErrorCode(rawValue: shape.name)
                #expect(code != nil, "\(shape.name) has no CloudTrailErrorCode case")
                if let code { modeled.insert(code) }
            }
            for operation in service.operations { modeled.formUnion(operation.errors) }
        }
        #expect(modeled.count == 91)
        #expect(CloudTrailErrorCode.allCases.count == modeled.count + 11)
    }

    @Test func lookupByNameFindsOperationsShapesAndTheirService() throws {
        let lookup = try #require(APIService.cloudTrail.operation(named: "LookupEvents"))
        #expect(lookup.models(.invalidMaxResultsException))
        #expect(!lookup.models(.invalidParameterException))
        #expect(APIService.cloudTrail.operation(named: "lookupEvents") == nil)
        let maxResults = try #require(APIService.cloudTrail.shape(named: "MaxResults"))
        #expect(maxResults.kind == .integer && maxResults.min == 1 && maxResults.max == 50)
        #expect(APIService.cloudTrail.targetPrefix == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101")
        #expect(APIService.cloudTrailData.wireProtocol == .restJSON)
        let put = try #require(APIService.cloudTrailData.operation(named: "PutAuditEvents"))
        #expect(put.httpMethod == "POST" && put.requestURI == "/PutAuditEvents")
        let request = APIService.cloudTrailData.shapes[try #require(put.input)]
        #expect(request.member(wireName: "channelArn")?.location == .querystring)
        #expect(APIService.owning(operation: "PutAuditEvents")?.name == "cloudtrail-data")
        #expect(APIService.owning(operation: "CreateTrail")?.name == "cloudtrail")
        #expect(APIService.owning(operation: "DeleteEverything") == nil)
    }

    @Test func deprecatedMembersAndShapesAreMarked() throws {
        let cancel = try #require(APIService.cloudTrail.shape(named: "CancelQueryRequest"))
        #expect(cancel.member(wireName: "EventDataStore")?.isDeprecated == true)
        #expect(cancel.member(wireName: "QueryId")?.isDeprecated == false)
        #expect(APIService.cloudTrail.shape(named: "KmsKeyDisabledException")?.isDeprecated == true)
    }

    /// Every pattern of both models compiles into a Swift `Regex` (the one with surrogate-pair escapes only
    /// after translation) and accepts a value the model's own documentation would accept.
    @Test func everyPatternCompiles() throws {
        var sources = Set<String>()
        for service in [APIService.cloudTrail, .cloudTrailData] {
            for (index, shape) in service.shapes.enumerated() {
                guard let source = shape.pattern else { continue }
                sources.insert(source)
                #expect(throws: Never.self) { try APIPattern(source) }
                #expect(service.pattern(ofShape: index)?.source == source)
            }
        }
        #expect(sources.count == 24)
    }

    @Test func patternsMatchTheWholeValueWithJavaSemantics() throws {
        let arn = try APIPattern(#"^[a-zA-Z0-9._/\-:]+$"#)
        #expect(arn.matches("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE"))
        #expect(!arn.matches("arn:aws:cloudtrail has space"))
        #expect(!arn.matches("abc\n"))
        // Unanchored patterns must still match the whole value (Java's Matcher.matches()).
        let digits = try APIPattern(#"\d+"#)
        #expect(digits.matches("123456789012"))
        #expect(!digits.matches("12345x789012"))
        // Java's \w and \d are ASCII; Swift's would accept é and Arabic-Indic digits.
        let field = try APIPattern(#"[\w|\d|\.|_]+"#)
        #expect(field.matches("resources.ARN"))
        #expect(!field.matches("caf\u{E9}"))
        #expect(!field.matches("\u{661}\u{662}"))
        // Code points, not grapheme clusters: e + combining acute is two characters, the second not allowed.
        #expect(try APIPattern(#"^[a-zA-Z0-9._\-]+$"#).matches("e\u{301}") == false)
        // Java's `.` stops at \n, \r, U+0085, U+2028, U+2029 but not at vertical tab or form feed.
        let line = try APIPattern(".*")
        #expect(line.matches("a\u{0B}b\u{0C}"))
        #expect(!line.matches("a\nb"))
        #expect(!line.matches("a\u{2028}b"))
        #expect(try APIPattern(".+").matches("") == false)
        #expect(try APIPattern("(?s).*").matches("SELECT 1\nFROM x"))
        let arnPrefix = try APIPattern("^arn:.*$")
        #expect(arnPrefix.matches("arn:aws:cloudtrail:x\u{0B}y"))
        #expect(!arnPrefix.matches("arn:aws\r\nx"))
        let s3 = try APIPattern(#"s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?"#)
        #expect(s3.matches("s3://amzn-s3-demo-bucket/results"))
        #expect(!s3.matches("s3://A/"))
    }

    /// Property: for every model pattern matched by a scan instead of `Regex`, the scan and `Regex` agree on
    /// every single scalar of ASCII and on thousands of random short strings mixing ASCII, Latin-1, line
    /// separators, combining marks and emoji.
    @Test func scannedPatternsAgreeWithRegex() throws {
        var generator = SplitMix64(seed: 0x00C0_FFEE)
        let extra: [Unicode.Scalar] = ["\u{85}", "\u{A0}", "\u{E9}", "\u{301}", "\u{2028}", "\u{661}", "\u{1F600}"]
        let alphabet = (0..<128).map { Unicode.Scalar(UInt8($0)) } + extra
        var corpus = alphabet.map { String(Character($0)) } + [""]
        for _ in 0..<3_000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 7) {
                text.unicodeScalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
            }
            corpus.append(text)
        }
        var scanned = Set<String>()
        var regexOnly = Set<String>()
        for service in [APIService.cloudTrail, .cloudTrailData] {
            for source in Set(service.shapes.compactMap(\.pattern)) {
                let pattern = try APIPattern(source)
                guard pattern.isScanned else {
                    regexOnly.insert(source)
                    continue
                }
                scanned.insert(source)
                let expected = try pattern.regexMatches(corpus)
                for (text, matches) in zip(corpus, expected) {
                    #expect(pattern.matches(text) == matches, "\(source) on \(Array(text.unicodeScalars))")
                }
            }
        }
        #expect(scanned.count == 18)
        #expect(
            regexOnly == [
                "^[0-9]{2}:[0-9]{2}", #"^[a-z0-9_-]+\.amazonaws\.com$"#, #"^[a-zA-Z][a-zA-Z0-9._\-]*$"#, "^arn:.*$",
                #"s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?"#,
                #"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*"#,
            ]
        )
    }

    @Test func surrogatePairEscapesBecomeTheirSupplementaryRange() throws {
        let xmlCharacters = try APIPattern(#"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*"#)
        #expect(xmlCharacters.matches("partition_0 \t\u{1F600}\u{10FFFF}\u{E000}"))
        #expect(!xmlCharacters.matches("a\u{1}b"))
        #expect(!xmlCharacters.matches("a\nb"))
        #expect(!xmlCharacters.matches("\u{FFFE}"))
    }
}

/// A seeded generator (SplitMix64), so property tests see the same strings on every run.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
