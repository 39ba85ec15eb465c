using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace DateNormalizer;

/// <summary>
/// The attention of one translation: for each output token (a row), the weights over the source
/// characters (the columns), each row summing to 1.
/// </summary>
/// <param name="Source">The source labels, one per column (usually the input's characters).</param>
/// <param name="Output">The output labels, one per row (the decoded characters and the end token).</param>
/// <param name="Weights">Row-major [Output.Count × Source.Count] weights in [0, 1].</param>
public sealed record AttentionMap(IReadOnlyList<string> Source, IReadOnlyList<string> Output, float[] Weights)
{
    /// <summary>The weight of source column <paramref name="column"/> for output row <paramref name="row"/>.</summary>
    public float this[int row, int column] => Weights[row * Source.Count + column];
}

/// <summary>
/// Writes attention maps as an SVG picture: one heat map per map, stacked top to bottom, source
/// characters along the top, output characters down the left side, each cell shaded from white
/// (weight 0) to dark blue (weight 1) and carrying its weight as a tooltip. Plain text, no library.
/// </summary>
public static class AttentionSvg
{
    /// <summary>Side of one cell in pixels.</summary>
    public const int CellSize = 20;

    private const int LeftMargin = 56, TopMargin = 20, HeaderHeight = 48, PanelGap = 24, RightMargin = 16;

    /// <summary>Writes <paramref name="maps"/> as one SVG document to <paramref name="path"/> (replaced if it exists).</summary>
    public static void Write(string path, IReadOnlyList<AttentionMap> maps)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, maps);
    }

    /// <summary>Writes <paramref name="maps"/> as one SVG document to <paramref name="writer"/>.</summary>
    /// <exception cref="ArgumentException">There are no maps, or a map's weights do not have rows × columns entries.</exception>
    public static void Write(TextWriter writer, IReadOnlyList<AttentionMap> maps)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.Count == 0) throw new ArgumentException("There is no attention map to draw.", nameof(maps));
        int width = 0, height = TopMargin;
        foreach (AttentionMap map in maps)
        {
            if (map.Weights.Length != map.Source.Count * map.Output.Count)
                throw new ArgumentException($"A map of {map.Output.Count} × {map.Source.Count} cells has {map.Weights.Length} weights.", nameof(maps));
            width = Math.Max(width, LeftMargin + map.Source.Count * CellSize + RightMargin);
            height += PanelHeight(map) + PanelGap;
        }
        width = Math.Max(width, 320);

        var w = new StringBuilder();
        w.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"13\">\n");
        w.Append("<title>Attention: which source characters each output character looked at</title>\n");
        w.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        int top = TopMargin;
        foreach (AttentionMap map in maps)
        {
            WritePanel(w, map, top);
            top += PanelHeight(map) + PanelGap;
        }
        w.Append("</svg>\n");
        writer.Write(w.ToString());
    }

    /// <summary>The label an SVG shows for a character: a visible mark for space, the character otherwise.</summary>
    public static string DisplayLabel(string label) => label == " " ? "␣" : label;

    /// <summary><paramref name="text"/> with the five XML special characters escaped.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    private static bool IsText(string label) => !(label.Length > 2 && label[0] == '<' && label[^1] == '>');

    private static int PanelHeight(AttentionMap map) => HeaderHeight + map.Output.Count * CellSize;

    private static void WritePanel(StringBuilder w, AttentionMap map, int top)
    {
        // The heading reads as text: labels of reserved tokens such as "</s>" are left out of it.
        string source = string.Concat(map.Source.Where(IsText)), output = string.Concat(map.Output.Where(IsText));
        w.Append(CultureInfo.InvariantCulture, $"<g class=\"map\" transform=\"translate(0,{top})\">\n");
        w.Append(CultureInfo.InvariantCulture, $"  <text x=\"8\" y=\"12\" font-weight=\"bold\">{Escape(source)} → {Escape(output)}</text>\n");
        int gridTop = HeaderHeight;
        // Source characters along the top, one per column.
        for (int j = 0; j < map.Source.Count; j++)
        {
            int x = LeftMargin + j * CellSize + CellSize / 2;
            w.Append(CultureInfo.InvariantCulture, $"  <text class=\"source\" x=\"{x}\" y=\"{gridTop - 6}\" text-anchor=\"middle\">{Escape(DisplayLabel(map.Source[j]))}</text>\n");
        }
        for (int i = 0; i < map.Output.Count; i++)
        {
            int y = gridTop + i * CellSize;
            // Output characters down the left side, one per row.
            w.Append(CultureInfo.InvariantCulture, $"  <text class=\"output\" x=\"{LeftMargin - 6}\" y=\"{y + CellSize / 2 + 4}\" text-anchor=\"end\">{Escape(DisplayLabel(map.Output[i]))}</text>\n");
            for (int j = 0; j < map.Source.Count; j++)
            {
                float weight = Math.Clamp(map[i, j], 0f, 1f);
                w.Append(CultureInfo.InvariantCulture,
                    $"  <rect class=\"cell\" x=\"{LeftMargin + j * CellSize}\" y=\"{y}\" width=\"{CellSize}\" height=\"{CellSize}\" fill=\"{Shade(weight)}\" stroke=\"#e0e0e0\" stroke-width=\"0.5\"><title>{Escape(map.Output[i])} ← {Escape(map.Source[j])}: {map[i, j]:0.000}</title></rect>\n");
            }
        }
        w.Append("</g>\n");
    }

    // White (0) to dark blue #08306b (1), linear in each channel.
    private static string Shade(float weight)
    {
        int r = (int)MathF.Round(255 + (8 - 255) * weight), g = (int)MathF.Round(255 + (48 - 255) * weight), b = (int)MathF.Round(255 + (107 - 255) * weight);
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
