using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DateNormalizer.Tests;

/// <summary>
/// Reads written dates back, written from the rules docs/datenormalizer.md states and not from the
/// generator's code: slashes with the year last are M/D/Y, dots and hyphens with the year last
/// D.M.Y, a leading four-digit group is the year, two-digit years 50–99 are 19xx and 00–49 20xx.
/// A weekday, if present, must be the date's; an ordinal suffix must fit the day. Returns null
/// for text that breaks a rule.
/// </summary>
internal static class ReferenceDateParser
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
    private const string Year = @"(?<y>\d{4}|'?\d{2})";
    private const string Day = @"(?<d>\d{1,2})(?<o>st|nd|rd|th)?";
    private const string Month = @"(?<m>[a-z]+)\.?";

    private static readonly (Regex Pattern, bool NamesAllowed)[] s_patterns =
    [
        (new Regex(@"^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})$", Options), false),
        (new Regex(@"^(?<y>\d{4})/(?<m>\d{1,2})/(?<d>\d{1,2})$", Options), false),
        (new Regex(@"^(?<m>\d{1,2})/(?<d>\d{1,2})/(?<y>\d{4}|\d{2})$", Options), false),
        (new Regex(@"^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4}|\d{2})$", Options), false),
        (new Regex(@"^(?<d>\d{1,2})-(?<m>\d{1,2})-(?<y>\d{4}|\d{2})$", Options), false),
        (new Regex(@"^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$", Options), false),
        (new Regex(@"^(?<d>\d{1,2})-(?<m>[a-z]+)-(?<y>\d{4}|\d{2})$", Options), true),
        (new Regex(@"^(?<y>\d{4}) " + Month + " " + Day + "$", Options), true),
        (new Regex(@"^(?:(?<w>[a-z]+),? )?" + Day + " " + Month + ",? " + Year + "$", Options), true),
        (new Regex(@"^(?:(?<w>[a-z]+),? )?" + Month + " " + Day + ",? " + Year + "$", Options), true),
        (new Regex(@"^(?:(?<w>[a-z]+) )?the " + Day + " of " + Month + ",? " + Year + "$", Options), true),
    ];

    private static readonly string[] s_months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    private static readonly string[] s_weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    public static DateOnly? Parse(string text)
    {
        // Case carries no meaning, but a word is all lower, all upper or capitalized.
        foreach (string word in Regex.Split(text, "[^A-Za-z]+"))
        {
            if (word.Length > 1 && word[1..] != word[1..].ToLowerInvariant() && word != word.ToUpperInvariant()) return null;
        }
        string lower = text.ToLowerInvariant();
        foreach ((Regex pattern, bool names) in s_patterns)
        {
            Match m = pattern.Match(lower);
            if (!m.Success) continue;
            int month = names ? MonthOf(m.Groups["m"].Value) : int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture);
            int day = int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture);
            string y = m.Groups["y"].Value.TrimStart('\'');
            int year = int.Parse(y, CultureInfo.InvariantCulture);
            if (y.Length == 2) year += year >= 50 ? 1900 : 2000;
            if (month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
            var date = new DateOnly(year, month, day);
            if (m.Groups["o"].Success && m.Groups["o"].Value != Suffix(day)) return null;
            if (m.Groups["w"].Success && !IsWeekday(m.Groups["w"].Value, date.DayOfWeek)) return null;
            return date;
        }
        return null;
    }

    private static int MonthOf(string word)
    {
        for (int i = 0; i < 12; i++)
        {
            if (word == s_months[i] || word == s_months[i][..3] || (i == 8 && word == "sept")) return i + 1;
        }
        return 0;
    }

    private static bool IsWeekday(string word, DayOfWeek day)
    {
        string full = s_weekdays[(int)day];
        return word == full || word == full[..3] || (day == DayOfWeek.Tuesday && word == "tues") || (day == DayOfWeek.Thursday && word == "thurs");
    }

    private static string Suffix(int day) => day switch
    {
        1 or 21 or 31 => "st",
        2 or 22 => "nd",
        3 or 23 => "rd",
        _ => "th",
    };
}
