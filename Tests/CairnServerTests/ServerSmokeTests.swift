import CairnService
import Testing

@Test func versionIsSemantic() {
    #expect(ServiceVersion.current.split(separator: ".").count == 3)
}
