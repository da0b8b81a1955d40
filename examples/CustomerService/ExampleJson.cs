using System.Text.Json.Serialization;

[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(bool))]
internal sealed partial class ExampleJson : JsonSerializerContext;
