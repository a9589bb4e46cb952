import ArgumentParser
import CairnCore
import CairnServer
import CairnService
import CairnStorage

/// `cairn validate-logs`: checks a trail's delivered log files against its signed digest chain, as
/// `aws cloudtrail validate-logs` does, and exits 1 when anything is invalid or missing.
struct ValidateLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-logs",
        abstract: "Validate a trail's log files against its signed digests.",
        discussion: """
            Reads every digest of the trail's account and region between --start-time and --end-time \
            (default now) from the trail's bucket, checks each signature with the region's public \
            keys, each listed log file's SHA-256 and the chain of previous-digest links. Prints each \
            invalid file (every file with --verbose) in the AWS CLI's format and a summary. Beyond \
            the AWS CLI it also reports several consecutive deleted digests and deleted newest digests.
            Exit status: 0 when everything is valid, 1 when anything is invalid or missing, 2 on \
            usage errors.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Config file of the server (for trails delivering to S3-compatible buckets).")
    var config: String?

    @Option(name: .long, help: "The trail's ARN.")
    var trailArn: String

    @Option(name: .long, help: "Start of the window (ISO 8601, e.g. 2026-12-04T00:00:00Z).")
    var startTime: String

    @Option(name: .long, help: "End of the window (ISO 8601; default now).")
    var endTime: String?

    @Option(name: .long, help: "Region whose digests to check (default: the trail's home region).")
    var region: String?

    @Option(name: .long, help: "Member account to check (organization trails).")
    var accountId: String?

    @Flag(name: .long, help: "Print every file, valid ones too.")
    var verbose = false

    func run() throws {
        let command = self
        try waitFor { try await command.validate() }
    }

    func validate() async throws {
        let start = try parseTime(startTime, option: "--start-time")
        let end =
            try endTime.map { text throws in try parseTime(text, option: "--end-time") }
            ?? CairnStorage.Clock.nowMilliseconds()
        guard start <= end else {
            Terminal.error("cairn validate-logs: --start-time is after --end-time")
            throw ExitCode(2)
        }
        let dataPath = data ?? StoreOptions.defaultDataDirectory
        let service: CairnService
        let resolved: (target: LogValidator.Target, keys: [PublicKeyInfo])
        do throws(ServiceError) {
            let config = try self.config.map { path throws(ServiceError) in try ServiceConfig.load(path: path) }
            service = try CairnService(
                dataPath: dataPath,
                config: config ?? .embeddedDefault,
                readOnly: true,
                remoteBucketStore: RemoteBuckets.store
            )
            resolved = try service.validationTarget(
                trailARN: trailArn,
                region: region,
                accountId: accountId,
                startMilliseconds: start,
                endMilliseconds: end
            )
        } catch {
            Terminal.error("cairn validate-logs: \(error.description)")
            throw ExitCode.failure
        }
        let target = resolved.target
        Terminal.write(
            "Validating log files for trail \(trailArn) between \(EventTimestamp.canonicalText(start)) and "
                + "\(EventTimestamp.canonicalText(end))\n\n"
        )
        if resolved.keys.isEmpty {
            Terminal.error("cairn validate-logs: no public keys found in region \(target.region) for the window")
            throw ExitCode.failure
        }
        let validator = LogValidator(store: service.bucketStore(target.bucket), keys: resolved.keys)
        let report: LogValidator.Report
        do throws(BucketError) {
            report = try await validator.validate(target, verbose: verbose) { line in Terminal.write(line + "\n") }
        } catch {
            Terminal.error("cairn validate-logs: cannot read the bucket: \(error.description)")
            throw ExitCode.failure
        }
        var summary =
            "\nResults requested for \(EventTimestamp.canonicalText(start)) to \(EventTimestamp.canonicalText(end))\n"
        if let oldest = report.oldestMilliseconds, let newest = report.newestMilliseconds {
            summary +=
                "Results found for \(EventTimestamp.canonicalText(oldest)) to \(EventTimestamp.canonicalText(newest)):\n\n"
        } else {
            summary += "No digest files found\n\n"
        }
        summary += Self.line(report.validDigests, report.invalidDigests, "digest")
        summary += Self.line(report.validLogs, report.invalidLogs, "log")
        if report.gaps > 0 { summary += "\(report.gaps) gap\(report.gaps == 1 ? "" : "s") in the digest chain\n" }
        Terminal.write(summary)
        if !report.isValid { throw ExitCode.failure }
    }

    static func line(_ valid: Int, _ invalid: Int, _ kind: String) -> String {
        let total = valid + invalid
        var text = "\(valid)/\(total) \(kind) files valid"
        if invalid > 0 { text += ", \(invalid)/\(total) \(kind) files INVALID" }
        return text + "\n"
    }
}
