import CairnCore
import Testing

/// Relations between limits that the code relies on (Swift has no static_assert).
@Suite struct LimitsTests {
    @Test func pagesTileRowGroups() {
        #expect(Limits.maxRowGroupRowCount % Limits.rowsPerPage == 0)
        #expect(Limits.maxRowGroupRowCount <= Int(UInt32.max), "row references store rows as UInt32")
    }

    @Test func aRecordAlwaysFitsTheBuffersItPassesThrough() {
        #expect(Limits.ingestChunkByteCount >= 4 * Limits.maxEventByteCount, "a chunk holds whole records")
        #expect(Limits.maxWALRecordByteCount >= 4 * Limits.ingestChunkByteCount, "a chunk's batch fits one WAL record")
        #expect(Limits.walCompressionThresholdByteCount < Limits.maxWALRecordByteCount)
    }

    @Test func memoryBudgetsLeaveRoomUnderOneGiB() {
        // Two memtable generations (one flushing) as column batches (~0.9x their JSON size), plus the
        // concatenated copy a flush makes of one partition at a time.
        #expect(3 * Limits.memtableBudgetByteCount < 1 << 30)
        #expect(Limits.maxMemtableBudgetByteCount <= Int(UInt32.max), "column batches use 32-bit offsets")
    }

    @Test func retentionLimitsAreLakes() {
        #expect(Limits.minRetentionDays == 7 && Limits.maxRetentionDays == 3_653, "Lake's RetentionPeriod range")
        #expect((Limits.minRetentionDays...Limits.maxRetentionDays).contains(Limits.defaultRetentionDays))
        #expect(Limits.minStoreNameByteCount == 3 && Limits.maxStoreNameByteCount == 128)
    }

    @Test func zoneMapBoundsAreSmall() {
        #expect(Limits.zoneMapStringPrefixByteCount <= 64)
        #expect(Limits.maxZoneMapValueSetCount <= 255, "value sets are for few values")
    }
}
