import ArgumentParser
import CairnCore
import CairnServer
import CairnService
import CairnStorage

#if canImport(Glibc)
    import Glibc
#endif

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

            With --data it reads the data directory (read-only; buckets on S3-compatible endpoints \
            need the server's --config). With --endpoint-url it asks a running Cairn (or any \
            CloudTrail endpoint) for the trail, its status and public keys, and reads the bucket \
            from --s3-endpoint-url (default: the same endpoint), signing with AWS_ACCESS_KEY_ID and \
            AWS_SECRET_ACCESS_KEY.

            Exit status: 0 when everything is valid, 1 when anything is invalid or missing or the \
            trail cannot be read, 2 on usage errors.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Config file of the server (for trails delivering to S3-compatible buckets).")
    var config: String?

    @Option(name: .long, help: "A CloudTrail endpoint to ask instead of a data directory (http://HOST:PORT).")
    var endpointUrl: String?

    @Option(name: .long, help: "The S3-compatible endpoint of the trail's bucket (default: --endpoint-url).")
    var s3EndpointUrl: String?

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

    @Option(name: .long, help: "The organization id (o-...) of an organization trail read with --endpoint-url.")
    var organizationId: String?

    @Flag(name: .long, help: "Print every file, valid ones too.")
    var verbose = false

    func validate() throws {
        if data != nil && endpointUrl != nil {
            throw ValidationError("give either --data or --endpoint-url, not both")
        }
    }

    func run() throws {
        let command = self
        try waitFor { try await command.validateLogs() }
    }

    func validateLogs() async throws {
        let start = try parseTime(startTime, option: "--start-time")
        let end =
            try endTime.map { text throws in try parseTime(text, option: "--end-time") }
            ?? CairnStorage.Clock.nowMilliseconds()
        guard start <= end else {
            Terminal.error("cairn validate-logs: --start-time is after --end-time")
            throw ExitCode(2)
        }
        let resolved: (target: LogValidator.Target, keys: [PublicKeyInfo], store: any ObjectStore)
        do throws(ServiceError) {
            resolved = try await endpointUrl == nil ? fromDataDirectory(start, end) : fromEndpoint(start, end)
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
        let validator = LogValidator(store: resolved.store, keys: resolved.keys)
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

    private func fromDataDirectory(_ start: Int64, _ end: Int64) throws(ServiceError)
        -> (target: LogValidator.Target, keys: [PublicKeyInfo], store: any ObjectStore)
    {
        let config = try self.config.map { path throws(ServiceError) in try ServiceConfig.load(path: path) }
        let service = try CairnService(
            dataPath: data ?? StoreOptions.defaultDataDirectory,
            config: config ?? .embeddedDefault,
            readOnly: true,
            remoteBucketStore: RemoteBuckets.store
        )
        let resolved = try service.validationTarget(
            trailARN: trailArn,
            region: region,
            accountId: accountId,
            startMilliseconds: start,
            endMilliseconds: end
        )
        return (resolved.target, resolved.keys, service.bucketStore(resolved.target.bucket))
    }

    private func fromEndpoint(_ start: Int64, _ end: Int64) async throws(ServiceError)
        -> (target: LogValidator.Target, keys: [PublicKeyInfo], store: any ObjectStore)
    {
        let parts = trailArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == "cloudtrail", parts[5].hasPrefix("trail/") else {
            throw ServiceError(.cloudTrailARNInvalidException, "\(trailArn) is not a trail ARN")
        }
        let homeRegion = String(parts[3])
        let region =
            self.region ?? Self.environment("AWS_REGION") ?? Self.environment("AWS_DEFAULT_REGION") ?? homeRegion
        guard let keyId = Self.environment("AWS_ACCESS_KEY_ID"), let secret = Self.environment("AWS_SECRET_ACCESS_KEY")
        else {
            throw ServiceError(
                .missingAuthenticationTokenException,
                "--endpoint-url needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
            )
        }
        let client = try CloudTrailClient(
            endpoint: endpointUrl!,
            region: region,
            accessKeyId: keyId,
            secretAccessKey: secret
        )
        let described = try await client.call(
            "DescribeTrails",
            .object([("trailNameList", .array([.string(trailArn)])), ("includeShadowTrails", .bool(true))])
        )
        guard case .array(let trails)? = described["trailList"],
            let trail = trails.first(where: { $0["TrailARN"] == .string(trailArn) }),
            case .string(let bucket)? = trail["S3BucketName"], case .string(let name)? = trail["Name"]
        else { throw ServiceError(.trailNotFoundException, "Unknown trail: \(trailArn) at \(endpointUrl!)") }
        var prefix: String?
        if case .string(let text)? = trail["S3KeyPrefix"] { prefix = text }
        let isOrganization = trail["IsOrganizationTrail"] == .bool(true)
        guard !isOrganization || organizationId != nil else {
            throw ServiceError(.validationException, "\(trailArn) is an organization trail: give --organization-id")
        }
        let status = try await client.call("GetTrailStatus", .object([("Name", .string(trailArn))]))
        let keys = try await client.call(
            "ListPublicKeys",
            .object([
                ("StartTime", .number(String(start / 1000))), ("EndTime", .number(String((end + 7_200_000) / 1000))),
            ])
        )
        let target = LogValidator.Target(
            bucket: bucket,
            prefix: prefix,
            organizationId: isOrganization ? organizationId : nil,
            account: accountId ?? String(parts[4]),
            region: region,
            trailName: name,
            homeRegion: homeRegion,
            startMilliseconds: start,
            endMilliseconds: end,
            latestDigestMilliseconds: CloudTrailClient.seconds(status["LatestDigestDeliveryTime"])
        )
        let store: any ObjectStore
        do throws(BucketError) {
            store = try S3Client(
                endpoint: s3EndpointUrl ?? endpointUrl!,
                region: region,
                accessKeyId: keyId,
                secretAccessKey: secret
            )
        } catch {
            throw ServiceError(.validationException, error.message)
        }
        return (target, CloudTrailClient.publicKeys(keys), store)
    }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name), let text = String(validatingCString: value), !text.isEmpty else { return nil }
        return text
    }

    static func line(_ valid: Int, _ invalid: Int, _ kind: String) -> String {
        let total = valid + invalid
        var text = "\(valid)/\(total) \(kind) files valid"
        if invalid > 0 { text += ", \(invalid)/\(total) \(kind) files INVALID" }
        return text + "\n"
    }
}
