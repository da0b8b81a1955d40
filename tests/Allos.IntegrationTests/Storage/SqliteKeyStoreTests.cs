using Allos.IntegrationTests.Storage.Contract;

namespace Allos.IntegrationTests.Storage;

/// <summary>The key store contract (KeyStore) against a real SQLite file.</summary>
public sealed class SqliteKeyStoreTests() : KeyStoreContractTests(new SqliteHarness());
