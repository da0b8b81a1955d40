using System.Text.Json;
using Allos.Tools.Validation;
using Microsoft.Extensions.AI;

namespace Allos.Tools;

/// <summary>
/// An <see cref="AIFunction"/> with what Allos needs to run it safely: its <see cref="Risk"/>, its default
/// <see cref="Permission"/> and an optional <see cref="Timeout"/>. Any <see cref="AIFunction"/> (C# methods through
/// <see cref="AIFunctionFactory"/>, MCP tools) becomes one with <see cref="From"/>; schema-first tools come from <c>Create</c>.
/// </summary>
/// <remarks>
/// Approvals speak Microsoft.Extensions.AI's marker both ways: a function wrapped in <see cref="ApprovalRequiredAIFunction"/>
/// becomes a tool that asks, and a tool that may ask (see <see cref="GetService"/>) reports itself as one, so a
/// <c>FunctionInvokingChatClient</c> given Allos tools directly asks for approval before it runs them.
/// </remarks>
public sealed class Tool : DelegatingAIFunction
{
    private ApprovalRequiredAIFunction? _approvalMarker;

    private Tool(AIFunction inner, ToolArgumentSchema argumentSchema, ToolRisk risk, ToolPermission? permission, TimeSpan? timeout, Func<ToolApprovalContext, string?>? approvalCheck = null)
        : base(inner)
    {
        ArgumentSchema = argumentSchema;
        Risk = risk;
        Permission = permission;
        Timeout = timeout;
        ApprovalCheck = approvalCheck;
    }

    /// <summary>Gets what the tool can do to the world.</summary>
    public ToolRisk Risk { get; }

    /// <summary>
    /// Gets the default permission, or <see langword="null"/> to derive it from <see cref="Risk"/>: tools at or above the
    /// agent's approval threshold (default <see cref="ToolRisk.Network"/>) ask, read-only tools are allowed.
    /// </summary>
    public ToolPermission? Permission { get; }

    /// <summary>Gets the longest one call may run, or <see langword="null"/> for the executor's default.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>
    /// Gets the per-call check that makes one call ask for approval although the tool would run without asking (for
    /// example <c>read_file</c> on a <c>.env</c> file), or <see langword="null"/> when every call is judged by the tool's
    /// permission alone. The check returns why the call needs approval, or <see langword="null"/> when it does not.
    /// </summary>
    /// <remarks>
    /// An escalated call asks in every autonomy level, unless the tool's permission was set to
    /// <see cref="ToolPermission.Allow"/> explicitly (for the run or the agent), and a standing "always allow" answer for
    /// the tool does not cover it. <see cref="ToolPermission.Deny"/> still denies.
    /// </remarks>
    public Func<ToolApprovalContext, string?>? ApprovalCheck { get; }

    private bool MayAsk => Permission is ToolPermission.Ask or ToolPermission.Deny
        || (Permission is null && Risk >= ToolRisk.Network)
        || ApprovalCheck is not null;

    /// <summary>Gets the parameters schema, built once: functions are immutable, so every copy of a tool shares it.</summary>
    internal ToolArgumentSchema ArgumentSchema { get; }

    /// <summary>Wraps any function (a C# method through <see cref="AIFunctionFactory.Create(Delegate, string?, string?, System.Text.Json.JsonSerializerOptions?)"/>, an MCP tool) as a tool.</summary>
    /// <remarks>
    /// A function marked with <see cref="ApprovalRequiredAIFunction"/> (anywhere in its chain) gets
    /// <see cref="ToolPermission.Ask"/> when <paramref name="permission"/> is <see langword="null"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The function's <see cref="AIFunctionDeclaration.JsonSchema"/> cannot be used to check calls (a malformed keyword, an invalid <c>pattern</c>, an unknown <c>$schema</c>); the message names the tool.</exception>
    public static Tool From(AIFunction function, ToolRisk risk = ToolRisk.ReadOnly, ToolPermission? permission = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (permission is null && function is not Tool && function.GetService<ApprovalRequiredAIFunction>() is not null)
        {
            permission = ToolPermission.Ask;
        }

        return function switch
        {
            Tool tool when tool.Risk == risk && tool.Permission == permission && tool.Timeout == timeout => tool,
            Tool wrapped => new Tool(wrapped.InnerFunction, wrapped.ArgumentSchema, risk, permission, timeout, wrapped.ApprovalCheck),
            _ => new Tool(function, ToolArgumentSchema.Build(function.Name, function.JsonSchema, nameof(function)), risk, permission, timeout),
        };
    }

    /// <summary>Creates a schema-first tool: a name, a description, a JSON schema for the arguments and a handler.</summary>
    /// <param name="name">The name the model calls it by (letters, digits, <c>_</c> and <c>-</c>).</param>
    /// <param name="description">What the tool does, for the model.</param>
    /// <param name="parametersSchema">
    /// A JSON schema of type <c>object</c> for the arguments (draft 4, 6, 7, 2019-09 or 2020-12, the default); calls are
    /// validated against it before the handler runs.
    /// </param>
    /// <param name="handler">The body.</param>
    /// <param name="risk">What the tool can do to the world.</param>
    /// <param name="permission">The default permission; <see langword="null"/> derives it from <paramref name="risk"/>.</param>
    /// <param name="timeout">The longest one call may run.</param>
    /// <exception cref="ArgumentException"><paramref name="parametersSchema"/> is not an object, or cannot be used to check calls (a malformed keyword, an invalid <c>pattern</c>, an unknown <c>$schema</c>); the message names the tool and the problem.</exception>
    public static Tool Create(string name, string description, JsonElement parametersSchema, ToolHandler handler,
        ToolRisk risk = ToolRisk.ReadOnly, ToolPermission? permission = null, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handler);
        if (parametersSchema.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The parameters schema must be a JSON object schema.", nameof(parametersSchema));
        }

        return new Tool(new SchemaFunction(name, description, parametersSchema, handler), ToolArgumentSchema.Build(name, parametersSchema, nameof(parametersSchema)),
            risk, permission, timeout);
    }

    /// <summary>Creates a schema-first tool from a schema written as JSON text.</summary>
    public static Tool Create(string name, string description, string parametersSchemaJson, ToolHandler handler,
        ToolRisk risk = ToolRisk.ReadOnly, ToolPermission? permission = null, TimeSpan? timeout = null)
    {
        using JsonDocument document = JsonDocument.Parse(parametersSchemaJson);
        return Create(name, description, document.RootElement.Clone(), handler, risk, permission, timeout);
    }

    /// <summary>
    /// Returns <see cref="ApprovalRequiredAIFunction"/> (the marker a <c>FunctionInvokingChatClient</c> checks) when a call
    /// may need approval: the permission is <see cref="ToolPermission.Ask"/>, or unset with a risk of
    /// <see cref="ToolRisk.Network"/> or more (the default approval threshold), or the tool has an
    /// <see cref="ApprovalCheck"/>; otherwise <see langword="null"/> for it, whatever the inner function says.
    /// </summary>
    /// <remarks>
    /// <see cref="ToolPermission.Deny"/> reports the marker too: Microsoft.Extensions.AI has no "never run", and asking is
    /// the nearest. Per-agent and per-run permissions are the agent runner's; it does not use this.
    /// </remarks>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(ApprovalRequiredAIFunction))
        {
            return MayAsk ? _approvalMarker ??= new ApprovalRequiredAIFunction(this) : null;
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Returns a copy with another permission (per-agent and per-run overrides use this).</summary>
    public Tool WithPermission(ToolPermission? permission) => new(InnerFunction, ArgumentSchema, Risk, permission, Timeout, ApprovalCheck);

    /// <summary>Returns a copy whose calls are also judged one by one by <paramref name="check"/> (see <see cref="ApprovalCheck"/>).</summary>
    /// <param name="check">Returns why a call needs approval, or <see langword="null"/> when it does not; <see langword="null"/> removes the check.</param>
    public Tool WithApprovalCheck(Func<ToolApprovalContext, string?>? check) => new(InnerFunction, ArgumentSchema, Risk, Permission, Timeout, check);
}
