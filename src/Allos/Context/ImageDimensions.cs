using System.Buffers.Binary;

namespace Allos.Context;

/// <summary>
/// Reads an image's width and height from the first bytes of a PNG, JPEG, GIF or WebP file. Header parsing only:
/// every read is bounds-checked and a malformed or unknown file yields <see langword="false"/>, never an exception.
/// </summary>
internal static class ImageDimensions
{
    // A JPEG's SOF segment can follow large EXIF/ICC segments; scanning further than this is not worth it for an estimate.
    private const int MaxJpegScan = 1 << 20;

    public static bool TryRead(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = 0;
        height = 0;
        bool found = TryPng(data, ref width, ref height)
            || TryGif(data, ref width, ref height)
            || TryWebP(data, ref width, ref height)
            || TryJpeg(data, ref width, ref height);
        return found && width > 0 && height > 0;
    }

    private static bool TryPng(ReadOnlySpan<byte> data, ref int width, ref int height)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (data.Length < 24 || !data[..8].SequenceEqual(signature) || !data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return false;
        }

        uint w = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4));
        uint h = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4));
        if (w > int.MaxValue || h > int.MaxValue)
        {
            return false;
        }

        width = (int)w;
        height = (int)h;
        return true;
    }

    private static bool TryGif(ReadOnlySpan<byte> data, ref int width, ref int height)
    {
        if (data.Length < 10 || !(data[..6].SequenceEqual("GIF87a"u8) || data[..6].SequenceEqual("GIF89a"u8)))
        {
            return false;
        }

        width = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(6, 2));
        height = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(8, 2));
        return true;
    }

    private static bool TryWebP(ReadOnlySpan<byte> data, ref int width, ref int height)
    {
        if (data.Length < 30 || !data[..4].SequenceEqual("RIFF"u8) || !data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return false;
        }

        ReadOnlySpan<byte> chunk = data.Slice(12, 4);
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
            if (data[23] != 0x9D || data[24] != 0x01 || data[25] != 0x2A)
            {
                return false;
            }

            width = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(26, 2)) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(28, 2)) & 0x3FFF;
            return true;
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // Lossless: signature byte 0x2F, then width-1 and height-1 packed in 14 bits each.
            if (data[20] != 0x2F)
            {
                return false;
            }

            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(21, 4));
            width = (int)(bits & 0x3FFF) + 1;
            height = (int)((bits >> 14) & 0x3FFF) + 1;
            return true;
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Extended: canvas width-1 and height-1 as 24-bit little-endian values.
            width = (data[24] | (data[25] << 8) | (data[26] << 16)) + 1;
            height = (data[27] | (data[28] << 8) | (data[29] << 16)) + 1;
            return true;
        }

        return false;
    }

    private static bool TryJpeg(ReadOnlySpan<byte> data, ref int width, ref int height)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return false;
        }

        int limit = Math.Min(data.Length, MaxJpegScan);
        int i = 2;
        while (i + 4 <= limit)
        {
            if (data[i] != 0xFF)
            {
                return false;
            }

            byte marker = data[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2; // markers without a length
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 2, 2));
            if (length < 2)
            {
                return false;
            }

            // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (i + 9 > limit)
                {
                    return false;
                }

                height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 5, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 7, 2));
                return true;
            }

            if (marker is 0xD9 or 0xDA)
            {
                return false; // end of image or start of scan before any frame header
            }

            i += 2 + length;
        }

        return false;
    }
}
