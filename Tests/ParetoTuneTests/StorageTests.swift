import Testing
@testable import ParetoTune

@Suite struct StorageTests {
    @Test func inMemoryStorageKeepsTheContract() throws {
        try checkStorageContract { InMemoryStorage() }
    }
}
