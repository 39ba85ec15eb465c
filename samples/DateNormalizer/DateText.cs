using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RnnGen;

namespace DateNormalizer;

/// <summary>The order and separators of a written date (see docs/datenormalizer.md for examples).</summary>
public enum DateLayout
{
    /// <summary><c>2023-03-07</c>: ISO 8601 itself.</summary>
    Iso,
    /// <summary><c>2023/03/07</c>, <c>2023/3/7</c>: year first with slashes, then month, then day.</summary>
    YearSlash,
    /// <summary><c>3/7/23</c>, <c>03/07/2023</c>: slashes with the year last are month/day/year (US).</summary>
    UsSlash,
    /// <summary><c>7.3.2023</c>, <c>07.03.23</c>: dots are day.month.year.</summary>
    Dots,
    /// <summary><c>07-03-2023</c>, <c>7-3-23</c>: hyphens with the year last are day-month-year.</summary>
    Hyphens,
    /// <summary><c>20230307</c>: eight digits, year month day.</summary>
    Compact,
    /// <summary><c>7 March 2023</c>, <c>Tuesday, 7th Mar '23</c>: day, month name, year.</summary>
    DayMonthYear,
    /// <summary><c>March 7, 2023</c>, <c>Mar. 7th, '23</c>: month name, day, year.</summary>
    MonthDayYear,
    /// <summary><c>2023 Mar 07</c>, <c>2023 March 7</c>: four-digit year, month name, day.</summary>
    YearMonthDay,
    /// <summary><c>the 7th of March 2023</c>, <c>Tuesday the 7th of March, 2023</c>.</summary>
    TheDayOfMonth,
    /// <summary><c>07-Mar-2023</c>, <c>7-MAR-23</c>: day, month name, year joined by hyphens.</summary>
    DayMonthYearHyphens,
}

/// <summary>How the month is written in a layout with a month name.</summary>
public enum MonthForm
{
    /// <summary><c>March</c>.</summary>
    Full,
    /// <summary><c>Mar</c> (<c>Sep</c> or <c>Sept</c> for September).</summary>
    Abbreviated,
    /// <summary><c>Mar.</c>: abbreviation with a period (May, having no abbreviation, stays <c>May</c>).</summary>
    AbbreviatedWithPeriod,
}

/// <summary>Whether and how the weekday precedes a date with a month name.</summary>
public enum WeekdayForm
{
    /// <summary>No weekday.</summary>
    None,
    /// <summary><c>Tuesday</c>.</summary>
    Full,
    /// <summary><c>Tue</c> (also <c>Tues</c>, <c>Thu</c>, <c>Thurs</c>).</summary>
    Abbreviated,
}

/// <summary>How the year is written.</summary>
public enum YearForm
{
    /// <summary><c>2023</c>.</summary>
    FourDigits,
    /// <summary><c>23</c>: 50–99 mean 1950–1999, 00–49 mean 2000–2049.</summary>
    TwoDigits,
    /// <summary><c>'23</c>: two digits after an apostrophe (layouts with a month name only).</summary>
    Apostrophe,
}

/// <summary>Letter case of the month and weekday names and of the words "the", "of", "st", "nd", "rd", "th".</summary>
public enum LetterCase
{
    /// <summary><c>Tuesday, 7th March</c>.</summary>
    Capitalized,
    /// <summary><c>tuesday, 7th march</c>.</summary>
    Lower,
    /// <summary><c>TUESDAY, 7TH MARCH</c>.</summary>
    Upper,
}

/// <summary>
/// Every choice that turns a date into text: the layout and the forms of its parts. Choices that
/// a layout does not use are ignored by <see cref="DateText.Render"/>.
/// </summary>
/// <param name="Layout">Order and separators.</param>
/// <param name="Year">How the year is written (layouts that put the year first always use four digits).</param>
/// <param name="ZeroPadded">Day and month numbers have two digits (<c>07</c>) rather than one or two (<c>7</c>); an ordinal day is never padded.</param>
/// <param name="Month">How a month name is written.</param>
/// <param name="Weekday">Whether a weekday name comes first (name layouts that read as a sentence: not year first, not hyphens).</param>
/// <param name="Ordinal">The day has a suffix: <c>7th</c>, <c>1st</c>, <c>22nd</c> (name layouts only; always in <see cref="DateLayout.TheDayOfMonth"/>).</param>
/// <param name="Comma">A comma where the layout allows one: after the weekday; before the year when the day precedes it (<c>March 7, 2023</c>, <c>the 7th of March, 2023</c>).</param>
/// <param name="Case">Letter case of the words.</param>
/// <param name="Variant">Picks among equivalent spellings: <c>Sep</c>/<c>Sept</c>, <c>Tue</c>/<c>Tues</c>, <c>Thu</c>/<c>Thurs</c>.</param>
public readonly record struct DateStyle(
    DateLayout Layout,
    YearForm Year = YearForm.FourDigits,
    bool ZeroPadded = false,
    MonthForm Month = MonthForm.Full,
    WeekdayForm Weekday = WeekdayForm.None,
    bool Ordinal = false,
    bool Comma = false,
    LetterCase Case = LetterCase.Capitalized,
    int Variant = 0)
{
    /// <summary>Whether <paramref name="layout"/> writes the month as a name.</summary>
    public static bool HasMonthName(DateLayout layout) =>
        layout is DateLayout.DayMonthYear or DateLayout.MonthDayYear or DateLayout.YearMonthDay
            or DateLayout.TheDayOfMonth or DateLayout.DayMonthYearHyphens;
}

/// <summary>
/// Writes dates as people do and as ISO 8601. Every text it writes determines its date: the rules
/// for numeric layouts are fixed (slashes with the year last are month/day/year, dots and hyphens
/// with the year last are day.month.year, a four-digit group first is the year), and two-digit
/// years map to 1950–2049, the only years written.
/// </summary>
public static class DateText
{
    /// <summary>The first year dates are drawn from (two-digit years 50–99 mean 1950–1999).</summary>
    public const int FirstYear = 1950;

    /// <summary>The last year dates are drawn from (two-digit years 00–49 mean 2000–2049).</summary>
    public const int LastYear = 2049;

    /// <summary>Month names, January first.</summary>
    public static readonly IReadOnlyList<string> MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>Weekday names, Sunday first (the order of <see cref="DayOfWeek"/>).</summary>
    public static readonly IReadOnlyList<string> WeekdayNames =
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// <summary>The ISO 8601 form of <paramref name="date"/>: <c>yyyy-MM-dd</c>.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The year a two-digit year stands for: 50–99 → 1950–1999, 00–49 → 2000–2049.</summary>
    /// <param name="twoDigits">0 to 99.</param>
    public static int ExpandYear(int twoDigits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(twoDigits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(twoDigits, 99);
        return twoDigits >= 50 ? 1900 + twoDigits : 2000 + twoDigits;
    }

    /// <summary>Writes <paramref name="date"/> in <paramref name="style"/>.</summary>
    /// <param name="date">A date in <see cref="FirstYear"/>–<see cref="LastYear"/>.</param>
    /// <param name="style">The layout and the forms of the parts.</param>
    /// <exception cref="ArgumentOutOfRangeException">The year is outside <see cref="FirstYear"/>–<see cref="LastYear"/> (a two-digit year would not determine it).</exception>
    public static string Render(DateOnly date, DateStyle style)
    {
        if (date.Year < FirstYear || date.Year > LastYear)
            throw new ArgumentOutOfRangeException(nameof(date), date, $"Dates are written for the years {FirstYear}–{LastYear} only.");
        string day = Number(date.Day, style.ZeroPadded);
        string month = Number(date.Month, style.ZeroPadded);
        string yyyy = date.Year.ToString("D4", CultureInfo.InvariantCulture);
        string yy = (date.Year % 100).ToString("D2", CultureInfo.InvariantCulture);
        // Numeric layouts: no names, so case, weekday and ordinal do not apply; an apostrophe year is written as two digits.
        string shortYear = style.Year == YearForm.FourDigits ? yyyy : yy;
        switch (style.Layout)
        {
            case DateLayout.Iso: return Iso(date);
            case DateLayout.YearSlash: return $"{yyyy}/{month}/{day}";
            case DateLayout.UsSlash: return $"{month}/{day}/{shortYear}";
            case DateLayout.Dots: return $"{day}.{month}.{shortYear}";
            case DateLayout.Hyphens: return $"{day}-{month}-{shortYear}";
            case DateLayout.Compact: return yyyy + date.Month.ToString("D2", CultureInfo.InvariantCulture) + date.Day.ToString("D2", CultureInfo.InvariantCulture);
        }

        string monthName = MonthName(date.Month, style.Month, style.Variant);
        // An ordinal is never zero-padded: "7th", not "07th".
        string dayWord = style.Ordinal || style.Layout == DateLayout.TheDayOfMonth ? Number(date.Day, false) + OrdinalSuffix(date.Day) : day;
        string year = style.Year switch { YearForm.FourDigits => yyyy, YearForm.Apostrophe => "'" + yy, _ => yy };
        string comma = style.Comma ? "," : "";
        var text = new StringBuilder();
        // A weekday leads the layouts that read as a sentence; not "07-Mar-2023" nor "2023 Mar 07".
        if (style.Weekday != WeekdayForm.None && style.Layout is not (DateLayout.DayMonthYearHyphens or DateLayout.YearMonthDay))
        {
            text.Append(WeekdayName(date.DayOfWeek, style.Weekday, style.Variant));
            // "Tuesday the 7th of March" reads without a comma; elsewhere the comma is a choice.
            text.Append(style.Layout == DateLayout.TheDayOfMonth ? "" : comma).Append(' ');
        }
        switch (style.Layout)
        {
            // "7 March 2023": the comma, if any, only follows the weekday.
            case DateLayout.DayMonthYear: text.Append($"{dayWord} {monthName} {year}"); break;
            case DateLayout.MonthDayYear: text.Append($"{monthName} {dayWord}{comma} {year}"); break;
            // The year leads, so it has four digits (two would read as a day).
            case DateLayout.YearMonthDay: text.Append($"{yyyy} {monthName} {dayWord}"); break;
            case DateLayout.TheDayOfMonth: text.Append($"the {dayWord} of {monthName}{comma} {year}"); break;
            case DateLayout.DayMonthYearHyphens: text.Append($"{day}-{MonthName(date.Month, style.Month == MonthForm.Full ? MonthForm.Full : MonthForm.Abbreviated, style.Variant)}-{shortYear}"); break;
            default: throw new ArgumentOutOfRangeException(nameof(style), style.Layout, "Unknown layout.");
        }
        return style.Case switch
        {
            LetterCase.Lower => text.ToString().ToLowerInvariant(),
            LetterCase.Upper => text.ToString().ToUpperInvariant(),
            _ => text.ToString(),
        };
    }

    /// <summary><c>st</c>, <c>nd</c>, <c>rd</c> or <c>th</c> for a day of the month (11th, 12th, 13th; 21st, 22nd, 23rd).</summary>
    public static string OrdinalSuffix(int day) => (day % 100) switch
    {
        11 or 12 or 13 => "th",
        _ => (day % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" },
    };

    private static string Number(int value, bool zeroPadded) =>
        value.ToString(zeroPadded ? "D2" : "D", CultureInfo.InvariantCulture);

    private static string MonthName(int month, MonthForm form, int variant)
    {
        string full = MonthNames[month - 1];
        if (form == MonthForm.Full || month == 5) return full;
        string abbreviation = month == 9 && variant % 2 == 1 ? "Sept" : full[..3];
        return form == MonthForm.AbbreviatedWithPeriod ? abbreviation + "." : abbreviation;
    }

    private static string WeekdayName(DayOfWeek day, WeekdayForm form, int variant)
    {
        string full = WeekdayNames[(int)day];
        if (form == WeekdayForm.Full) return full;
        return day switch
        {
            DayOfWeek.Tuesday when variant % 2 == 1 => "Tues",
            DayOfWeek.Thursday when variant % 2 == 1 => "Thurs",
            _ => full[..3],
        };
    }
}

/// <summary>One written date and its ISO 8601 form.</summary>
/// <param name="Text">The date as a person might write it.</param>
/// <param name="Date">The date it stands for.</param>
/// <param name="Style">How it was written.</param>
public sealed record DateExample(string Text, DateOnly Date, DateStyle Style)
{
    /// <summary>The normalized form, <c>yyyy-MM-dd</c>.</summary>
    public string Iso => DateText.Iso(Date);
}

/// <summary>
/// Draws dates uniformly from <see cref="DateText.FirstYear"/>-01-01 to
/// <see cref="DateText.LastYear"/>-12-31 and a style for each; the sequence is a function of the
/// seed alone.
/// </summary>
public sealed class DateExampleGenerator
{
    private static readonly DateOnly s_first = new(DateText.FirstYear, 1, 1);
    private static readonly int s_days = new DateOnly(DateText.LastYear, 12, 31).DayNumber - s_first.DayNumber + 1;

    // Layout weights: the name layouts have the most ways to be written, so they get the most examples.
    private static readonly (DateLayout Layout, int Weight)[] s_layouts =
    [
        (DateLayout.Iso, 4), (DateLayout.YearSlash, 4), (DateLayout.UsSlash, 10), (DateLayout.Dots, 8),
        (DateLayout.Hyphens, 6), (DateLayout.Compact, 3), (DateLayout.DayMonthYear, 18), (DateLayout.MonthDayYear, 18),
        (DateLayout.YearMonthDay, 8), (DateLayout.TheDayOfMonth, 12), (DateLayout.DayMonthYearHyphens, 9),
    ];
    private static readonly int s_totalWeight = Sum(s_layouts);

    private readonly SeededRandom _random;

    /// <summary>A generator whose examples are determined by <paramref name="seed"/>.</summary>
    public DateExampleGenerator(ulong seed) => _random = new SeededRandom(seed);

    /// <summary>The next example.</summary>
    public DateExample Next()
    {
        var date = s_first.AddDays(_random.NextInt(s_days));
        DateStyle style = NextStyle();
        return new DateExample(DateText.Render(date, style), date, style);
    }

    /// <summary>The next <paramref name="count"/> examples.</summary>
    public List<DateExample> Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var list = new List<DateExample>(count);
        for (int i = 0; i < count; i++) list.Add(Next());
        return list;
    }

    private DateStyle NextStyle()
    {
        int pick = _random.NextInt(s_totalWeight);
        DateLayout layout = s_layouts[^1].Layout;
        foreach ((DateLayout l, int w) in s_layouts)
        {
            if (pick < w) { layout = l; break; }
            pick -= w;
        }
        bool names = DateStyle.HasMonthName(layout);
        return new DateStyle(
            layout,
            Year: NextYearForm(names),
            ZeroPadded: _random.NextInt(2) == 0,
            Month: (MonthForm)_random.NextInt(3),
            Weekday: _random.NextInt(3) == 0 ? (WeekdayForm)(1 + _random.NextInt(2)) : WeekdayForm.None,
            Ordinal: _random.NextInt(3) == 0,
            Comma: _random.NextInt(2) == 0,
            Case: _random.NextInt(5) switch { 0 => LetterCase.Lower, 1 => LetterCase.Upper, _ => LetterCase.Capitalized },
            Variant: _random.NextInt(4));
    }

    // Four digits about half the time; with a month name the two-digit years are split between 23 and '23.
    private YearForm NextYearForm(bool names)
    {
        if (_random.NextInt(2) == 0) return YearForm.FourDigits;
        return names && _random.NextInt(2) == 0 ? YearForm.Apostrophe : YearForm.TwoDigits;
    }

    private static int Sum((DateLayout, int Weight)[] items)
    {
        int total = 0;
        foreach (var item in items) total += item.Weight;
        return total;
    }
}
