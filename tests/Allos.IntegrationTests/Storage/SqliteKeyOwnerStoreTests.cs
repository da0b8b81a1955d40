using Allos.IntegrationTests.Storage.Contract;

namespace Allos.IntegrationTests.Storage;

/// <summary>The key store contract (KeyOwnerStore) against a real SQLite file.</summary>
public sealed class SqliteKeyOwnerStoreTests() : KeyOwnerStoreContractTests(new SqliteHarness());
