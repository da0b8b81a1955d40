namespace Allos.Providers;

/// <summary>
/// Reads the RFC 3339 timestamps providers stream (<c>2025-07-07T20:22:19.184789123Z</c>, Go's format) straight from
/// UTF-8, as a UTC <see cref="DateTimeOffset"/>: a streamed Ollama answer carries one per token, and the general parser
/// costs more than the rest of the line.
/// </summary>
/// <remarks>
/// Only the strict form is read: date, <c>T</c>, time, an optional fraction of any length (cut to 100 ns: the general
/// parser's floating-point rounding may differ by that one tick), then <c>Z</c> or <c>±hh:mm</c>. Anything else declines,
/// and the caller falls back to the general parser.
/// </remarks>
internal static class Rfc3339
{
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || (text[10] | 0x20) != 't' || text[13] != ':' || text[16] != ':'
            || !TryDigits(text, 0, 4, out int year) || !TryDigits(text, 5, 2, out int month) || !TryDigits(text, 8, 2, out int day)
            || !TryDigits(text, 11, 2, out int hour) || !TryDigits(text, 14, 2, out int minute) || !TryDigits(text, 17, 2, out int second))
        {
            return false;
        }

        int position = 19;
        long fractionTicks = 0;
        if (text[position] == '.')
        {
            int start = ++position;
            long scaled = 0;
            while (position < text.Length && char.IsAsciiDigit((char)text[position]))
            {
                // Seven digits make the 100 ns tick; the rest are cut.
                if (position - start < 7)
                {
                    scaled = (scaled * 10) + (text[position] - '0');
                }

                position++;
            }

            int digits = position - start;
            if (digits == 0)
            {
                return false;
            }

            for (int i = Math.Min(digits, 7); i < 7; i++)
            {
                scaled *= 10;
            }

            fractionTicks = scaled;
        }

        TimeSpan offset;
        if (position == text.Length - 1 && (text[position] | 0x20) == 'z')
        {
            offset = TimeSpan.Zero;
        }
        else if (position == text.Length - 6 && text[position] is (byte)'+' or (byte)'-' && text[position + 3] == ':'
            && TryDigits(text, position + 1, 2, out int offsetHours) && TryDigits(text, position + 4, 2, out int offsetMinutes)
            && offsetMinutes < 60 && (offsetHours * 60) + offsetMinutes <= 14 * 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (text[position] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month) || year < 1 || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks - offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            int digit = text[i] - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}
