import CairnCore
import CairnQuery
import Testing

@testable import CairnQuery

/// Every scalar function and operator, called with extreme and ill-typed arguments, either answers
/// or throws `QueryError`: no overflow trap, no index out of range, no crash.
@Suite struct FunctionFuzzTests {
    static let arguments = [
        "NULL", "''", "'a'", "'a,b'", "'%'", "'('", "'{\"a\":[1,{\"b\":2}]}'", "'[1,\"x\"]'", "'2026-11-01 10:00:00'",
        "'day'", "'month'", "'bogus'", "0", "1", "-1", "2", "9223372036854775807", "-9223372036854775807", "1.5",
        "1e308", "-1e308", "TRUE", "FALSE", "TIMESTAMP '0001-01-01 00:00:00'", "TIMESTAMP '9999-12-31 23:59:59'",
        "TIMESTAMP '2026-02-28 12:00:00'", "INTERVAL '1' DAY", "INTERVAL '-120000' MONTH",
        "INTERVAL '9223372036854775807' MILLISECOND", "split('a,b,c', ',')", "CAST(NULL AS VARCHAR)",
    ]

    @Test func functionsNeverTrap() throws {
        let engine = try GoldenFixture.shared().engine
        var random = SplitMix64(seed: 42)
        var answered = 0
        var rejected = 0
        let names = ScalarFunction.callableNames.filter { ScalarFunction.named($0)?.lambdaArgument == nil }
        for name in names {
            guard let function = ScalarFunction.named(name) else { continue }
            let low = function.arity.lowerBound
            let high = min(function.arity.upperBound, low + 2)
            for count in low...high {
                for _ in 0..<40 {
                    let args = (0..<count).map { _ in Self.arguments[Int(random.next() % UInt64(Self.arguments.count))]
                    }
                    let sql = "SELECT \(name)(\(args.joined(separator: ", ")))"
                    do {
                        _ = try engine.execute(sql, now: GoldenFixture.now)
                        answered += 1
                    } catch {
                        rejected += 1
                    }
                }
            }
        }
        for op in ["+", "-", "*", "/", "%", "||", "=", "<", "<>"] {
            for a in Self.arguments {
                for b in Self.arguments.shuffled(using: &random).prefix(8) {
                    do {
                        _ = try engine.execute("SELECT (\(a)) \(op) (\(b))", now: GoldenFixture.now)
                        answered += 1
                    } catch {
                        rejected += 1
                    }
                }
            }
        }
        // Both outcomes happen; reaching here means nothing trapped.
        #expect(answered > 500)
        #expect(rejected > 100)
    }
}
