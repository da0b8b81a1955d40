using Allos.Cli.Chat;

namespace Allos.Tests.Cli;

public sealed class KeySequenceTests
{
    [Fact]
    public void Read_PasteMarks_AreRecognizedKeyByKey()
    {
        var sequence = new KeySequence();

        Meanings(sequence, "\u001b[200~").ShouldBe([.. Enumerable.Repeat(KeySequence.Meaning.Consumed, 5), KeySequence.Meaning.PasteStarted]);
        Meanings(sequence, "ab").ShouldBe([KeySequence.Meaning.Key, KeySequence.Meaning.Key]);
        Meanings(sequence, "\u001b[201~")[^1].ShouldBe(KeySequence.Meaning.PasteEnded);
    }

    [Fact]
    public void Read_AltEnter_IsANewlineWhetherItComesAsOneKeyOrAsEscapeThenEnter()
    {
        var sequence = new KeySequence();

        sequence.Read(new ConsoleKeyInfo('\r', ConsoleKey.Enter, shift: false, alt: true, control: false)).ShouldBe(KeySequence.Meaning.Newline);
        sequence.Read(Key('\u001b')).ShouldBe(KeySequence.Meaning.Consumed);
        sequence.Read(new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false)).ShouldBe(KeySequence.Meaning.Newline);
        sequence.Read(new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false)).ShouldBe(KeySequence.Meaning.Key);
    }

    [Fact]
    public void Read_EscapeThenAnotherKeyOrAnUnknownSequence_KeepsTheKeyOrDropsTheSequence()
    {
        var sequence = new KeySequence();

        Meanings(sequence, "\u001bx").ShouldBe([KeySequence.Meaning.Consumed, KeySequence.Meaning.Key]);
        Meanings(sequence, "\u001b[99~y").ShouldBe([.. Enumerable.Repeat(KeySequence.Meaning.Consumed, 5), KeySequence.Meaning.Key]);
    }

    private static KeySequence.Meaning[] Meanings(KeySequence sequence, string keys) => [.. keys.Select(c => sequence.Read(Key(c)))];

    private static ConsoleKeyInfo Key(char c) => new(c, c == '\u001b' ? ConsoleKey.Escape : default, false, false, false);
}
