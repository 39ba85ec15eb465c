using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace DateNormalizer.Tests;

/// <summary>
/// The written dates: the examples the issue names come out exactly, every generated text parses
/// back (by an independent parser) to its date with a correct weekday, no text stands for two
/// dates, and the sets are reproducible and disjoint.
/// </summary>
public class DateTextTests
{
    private static readonly DateOnly s_march7 = new(2023, 3, 7);

    [Theory]
    [InlineData("Tuesday, 7 March 2023", DateLayout.DayMonthYear, YearForm.FourDigits, false, MonthForm.Full, WeekdayForm.Full, false, true, LetterCase.Capitalized)]
    [InlineData("3/7/23", DateLayout.UsSlash, YearForm.TwoDigits, false, MonthForm.Full, WeekdayForm.None, false, false, LetterCase.Capitalized)]
    [InlineData("March 7th, '23", DateLayout.MonthDayYear, YearForm.Apostrophe, false, MonthForm.Full, WeekdayForm.None, true, true, LetterCase.Capitalized)]
    [InlineData("7.3.2023", DateLayout.Dots, YearForm.FourDigits, false, MonthForm.Full, WeekdayForm.None, false, false, LetterCase.Capitalized)]
    [InlineData("2023 Mar 07", DateLayout.YearMonthDay, YearForm.FourDigits, true, MonthForm.Abbreviated, WeekdayForm.None, false, false, LetterCase.Capitalized)]
    [InlineData("07 MAR 2023", DateLayout.DayMonthYear, YearForm.FourDigits, true, MonthForm.Abbreviated, WeekdayForm.None, false, false, LetterCase.Upper)]
    [InlineData("the 7th of March 2023", DateLayout.TheDayOfMonth, YearForm.FourDigits, true, MonthForm.Full, WeekdayForm.None, false, false, LetterCase.Capitalized)]
    [InlineData("Mar. 7, 2023", DateLayout.MonthDayYear, YearForm.FourDigits, false, MonthForm.AbbreviatedWithPeriod, WeekdayForm.None, false, true, LetterCase.Capitalized)]
    [InlineData("2023-03-07", DateLayout.Iso, YearForm.TwoDigits, false, MonthForm.Full, WeekdayForm.Full, true, true, LetterCase.Upper)]
    [InlineData("2023/03/07", DateLayout.YearSlash, YearForm.TwoDigits, true, MonthForm.Full, WeekdayForm.None, false, false, LetterCase.Capitalized)]
    [InlineData("07-03-23", DateLayout.Hyphens, YearForm.TwoDigits, true, MonthForm.Full, WeekdayForm.None, false, false, LetterCase.Capitalized)]
    [InlineData("20230307", DateLayout.Compact, YearForm.TwoDigits, false, MonthForm.Full, WeekdayForm.None, false, false, LetterCase.Capitalized)]
    [InlineData("7-mar-23", DateLayout.DayMonthYearHyphens, YearForm.TwoDigits, false, MonthForm.AbbreviatedWithPeriod, WeekdayForm.Full, false, false, LetterCase.Lower)]
    [InlineData("tue the 7th of march, '23", DateLayout.TheDayOfMonth, YearForm.Apostrophe, true, MonthForm.Full, WeekdayForm.Abbreviated, false, true, LetterCase.Lower)]
    public void TheIssuesExamplesAreWrittenExactly(string expected, DateLayout layout, YearForm year, bool padded, MonthForm month, WeekdayForm weekday,
                                                  bool ordinal, bool comma, LetterCase letters)
    {
        var style = new DateStyle(layout, year, padded, month, weekday, ordinal, comma, letters);
        Assert.Equal(expected, DateText.Render(s_march7, style));
        Assert.Equal(s_march7, ReferenceDateParser.Parse(expected));
    }

    [Theory]
    [InlineData(1, "st")]
    [InlineData(2, "nd")]
    [InlineData(3, "rd")]
    [InlineData(4, "th")]
    [InlineData(11, "th")]
    [InlineData(12, "th")]
    [InlineData(13, "th")]
    [InlineData(21, "st")]
    [InlineData(22, "nd")]
    [InlineData(23, "rd")]
    [InlineData(30, "th")]
    [InlineData(31, "st")]
    public void OrdinalSuffixes(int day, string suffix) => Assert.Equal(suffix, DateText.OrdinalSuffix(day));

    [Fact]
    public void SpellingVariantsAndWeekdaysOfKnownDates()
    {
        // 1969-07-20 was a Sunday, 2000-02-29 a Tuesday, 2049-12-31 a Friday, 1950-01-01 a Sunday, 2001-09-13 a Thursday.
        Assert.Equal("Sunday, July 20, 1969", DateText.Render(new DateOnly(1969, 7, 20), new DateStyle(DateLayout.MonthDayYear, Weekday: WeekdayForm.Full, Comma: true)));
        Assert.Equal("TUES 29TH FEB '00", DateText.Render(new DateOnly(2000, 2, 29), new DateStyle(DateLayout.DayMonthYear, YearForm.Apostrophe, Month: MonthForm.Abbreviated,
            Weekday: WeekdayForm.Abbreviated, Ordinal: true, Case: LetterCase.Upper, Variant: 1)));
        Assert.Equal("Fri 31 Dec. 2049", DateText.Render(new DateOnly(2049, 12, 31), new DateStyle(DateLayout.DayMonthYear, Month: MonthForm.AbbreviatedWithPeriod,
            Weekday: WeekdayForm.Abbreviated)));
        Assert.Equal("sunday the 1st of january 1950", DateText.Render(new DateOnly(1950, 1, 1), new DateStyle(DateLayout.TheDayOfMonth, Weekday: WeekdayForm.Full, Case: LetterCase.Lower)));
        Assert.Equal("Thurs, Sept. 13, 01", DateText.Render(new DateOnly(2001, 9, 13), new DateStyle(DateLayout.MonthDayYear, YearForm.TwoDigits, Month: MonthForm.AbbreviatedWithPeriod,
            Weekday: WeekdayForm.Abbreviated, Comma: true, Variant: 3)));
        Assert.Equal("May 5, 1999", DateText.Render(new DateOnly(1999, 5, 5), new DateStyle(DateLayout.MonthDayYear, Month: MonthForm.AbbreviatedWithPeriod, Comma: true)));
    }

    [Fact]
    public void EveryGeneratedTextParsesBackToItsDateWithTheRightWeekday()
    {
        var generator = new DateExampleGenerator(seed: 42);
        var layouts = new HashSet<DateLayout>();
        var weekdays = new HashSet<(DateLayout, DayOfWeek)>();
        int withWeekday = 0;
        for (int i = 0; i < 100_000; i++)
        {
            DateExample e = generator.Next();
            DateOnly? parsed = ReferenceDateParser.Parse(e.Text);
            Assert.True(parsed == e.Date, $"'{e.Text}' ({e.Style}) parses as {parsed?.ToString("yyyy-MM-dd") ?? "nothing"}, not {e.Iso}");
            Assert.InRange(e.Date.Year, DateText.FirstYear, DateText.LastYear);
            layouts.Add(e.Style.Layout);
            if (e.Text.Any(char.IsLetter) && DateText.WeekdayNames.Any(w => e.Text.StartsWith(w[..3], StringComparison.OrdinalIgnoreCase)))
            {
                withWeekday++;
                weekdays.Add((e.Style.Layout, e.Date.DayOfWeek));
            }
        }
        Assert.Equal(Enum.GetValues<DateLayout>().Length, layouts.Count);
        Assert.True(withWeekday > 10_000, $"only {withWeekday} texts name a weekday");
        Assert.Equal(3 * 7, weekdays.Count); // every weekday in each of the three layouts that take one
    }

    [Fact]
    public void TheParserRejectsAWrongWeekdayOrSuffix()
    {
        Assert.Null(ReferenceDateParser.Parse("Monday, 7 March 2023"));
        Assert.Null(ReferenceDateParser.Parse("March 7st, 2023"));
        Assert.Null(ReferenceDateParser.Parse("2/30/23"));
        Assert.Equal(new DateOnly(2023, 3, 7), ReferenceDateParser.Parse("Tue, March 7th, 2023"));
    }

    [Fact]
    public void NoTextStandsForTwoDates()
    {
        var seen = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var generator = new DateExampleGenerator(seed: 7);
        int repeats = 0;
        for (int i = 0; i < 400_000; i++)
        {
            DateExample e = generator.Next();
            if (seen.TryGetValue(e.Text, out DateOnly before))
            {
                repeats++;
                Assert.True(before == e.Date, $"'{e.Text}' stands for {before:yyyy-MM-dd} and {e.Iso}");
            }
            else seen.Add(e.Text, e.Date);
        }
        // The check means something only if texts do repeat (ISO and numeric layouts collide often).
        Assert.True(repeats > 1_000, $"only {repeats} repeated texts");
    }

    [Fact]
    public void TwoDigitYearsCoverExactlyTheYearRange()
    {
        Assert.Equal(1950, DateText.ExpandYear(50));
        Assert.Equal(1999, DateText.ExpandYear(99));
        Assert.Equal(2000, DateText.ExpandYear(0));
        Assert.Equal(2049, DateText.ExpandYear(49));
        Assert.Throws<ArgumentOutOfRangeException>(() => DateText.Render(new DateOnly(1949, 12, 31), new DateStyle(DateLayout.Iso)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DateText.Render(new DateOnly(2050, 1, 1), new DateStyle(DateLayout.Iso)));
        var years = new DateExampleGenerator(3).Take(50_000).Select(e => e.Date.Year).ToHashSet();
        Assert.Equal(DateText.LastYear - DateText.FirstYear + 1, years.Count);
    }

    [Fact]
    public void TheSameSeedGivesTheSameExamplesAndAnotherSeedOthers()
    {
        List<DateExample> a = new DateExampleGenerator(5).Take(2_000), b = new DateExampleGenerator(5).Take(2_000), c = new DateExampleGenerator(6).Take(2_000);
        Assert.Equal(a, b);
        int same = a.Zip(c).Count(p => p.First.Text == p.Second.Text);
        Assert.True(same < 20, $"seeds 5 and 6 agree on {same} of 2,000 texts");
    }

    [Fact]
    public void HeldOutSetsComeFromTheirOwnSeedsAndNeverReachTraining()
    {
        Assert.NotEqual(DateSets.DefaultTrainingSeed, DateSets.TestSeed);
        Assert.NotEqual(DateSets.ValidationSeed, DateSets.TestSeed);
        List<DateExample> test = DateSets.Test();
        Assert.True(test.Count >= 2_000);
        Assert.Equal(test, DateSets.Test());
        Assert.Equal(DateSets.Test(2_000), test.Take(2_000));
        (List<DateExample> train, int skipped) = DateSets.Training(50_000);
        var heldOut = test.Concat(DateSets.Validation()).Select(e => e.Text).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(train, e => heldOut.Contains(e.Text));
        Assert.True(skipped > 0, "some drawn training texts are also held out (ISO, compact, numeric); they must be skipped, so some must have been");
        Assert.Equal(50_000, train.Count);
        Assert.Throws<ArgumentException>(() => DateSets.Training(10, DateSets.TestSeed));
    }
}
