using Microsoft.Extensions.AI;

namespace Allos.Hosting;

/// <summary>Hands out a client owned elsewhere (the container's <see cref="Gateway.Router"/>) without letting its holder dispose it.</summary>
internal sealed class SharedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    protected override void Dispose(bool disposing)
    {
        // The owner disposes the inner client once; disposing it here too would release it twice.
    }
}
