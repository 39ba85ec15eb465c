using System;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void Constant()
    {
        var s = new ConstantLearningRate(0.02f);
        Assert.Equal(0.02f, s.LearningRate(0));
        Assert.Equal(0.02f, s.LearningRate(1_000_000_000_000));
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(2, 0.1)]
    [InlineData(3, 0.05)]
    [InlineData(5, 0.05)]
    [InlineData(6, 0.025)]
    [InlineData(30, 0.1 / 1024)]
    public void StepDecay_multiplies_by_gamma_every_step_size(long step, double expected)
    {
        var s = new StepDecay(0.1f, stepSize: 3, gamma: 0.5);
        Assert.Equal((float)expected, s.LearningRate(step), 6);
    }

    [Fact]
    public void StepDecay_default_gamma_is_pytorchs()
    {
        var s = new StepDecay(1f, 10);
        Assert.Equal(0.1, s.Gamma);
        Assert.Equal(1f, s.LearningRate(9));
        Assert.Equal(0.1f, s.LearningRate(10), 6);
        Assert.Equal(0.01f, s.LearningRate(25), 6);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(5, 0.55)]                  // halfway: the mean of lr₀ and lr_min
    [InlineData(10, 0.1)]
    [InlineData(11, 0.1)]                  // stays at the minimum after T
    [InlineData(1000, 0.1)]
    public void CosineAnnealing_at_chosen_steps(long step, double expected)
    {
        var s = new CosineAnnealing(1f, totalSteps: 10, minimumLearningRate: 0.1f);
        Assert.Equal((float)expected, s.LearningRate(step), 6);
    }

    [Fact]
    public void CosineAnnealing_follows_the_closed_form()
    {
        var s = new CosineAnnealing(3e-4f, totalSteps: 7);
        for (int t = 0; t <= 7; t++)
            Assert.Equal((float)(3e-4f * (1 + Math.Cos(Math.PI * t / 7)) / 2), s.LearningRate(t), 9);
        // Strictly decreasing on the way down.
        for (int t = 1; t <= 7; t++) Assert.True(s.LearningRate(t) < s.LearningRate(t - 1));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.25)]
    [InlineData(3, 0.75)]
    [InlineData(4, 1.0)]                   // warm-up over: cosine step 0
    [InlineData(9, 0.5)]                   // cosine step 5 of 10
    [InlineData(14, 0.0)]                  // cosine step 10
    [InlineData(50, 0.0)]
    public void Warmup_then_cosine(long step, double expected)
    {
        var s = new LinearWarmup(4, new CosineAnnealing(1f, totalSteps: 10));
        Assert.Equal((float)expected, s.LearningRate(step), 6);
    }

    [Fact]
    public void Warmup_start_factor_and_nesting()
    {
        var s = new LinearWarmup(2, new ConstantLearningRate(0.4f), startFactor: 0.5);
        Assert.Equal(0.2f, s.LearningRate(0), 6);
        Assert.Equal(0.3f, s.LearningRate(1), 6);
        Assert.Equal(0.4f, s.LearningRate(2), 6);

        // Warm-up into step decay: the decay counts its steps from the end of the warm-up.
        var w = new LinearWarmup(10, new StepDecay(1f, 5, 0.5));
        Assert.Equal(0.5f, w.LearningRate(5), 6);
        Assert.Equal(1f, w.LearningRate(14), 6);
        Assert.Equal(0.5f, w.LearningRate(15), 6);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Contains("step", Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantLearningRate(1f).LearningRate(-1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantLearningRate(-1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantLearningRate(float.NaN));
        Assert.Contains("stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(1f, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(1f, 3, gamma: -0.5));
        Assert.Contains("totalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(1f, 0)).Message);
        Assert.Contains("above", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(0.1f, 10, 0.2f)).Message);
        Assert.Throws<ArgumentNullException>(() => new LinearWarmup(3, null!));
        Assert.Contains("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(0, new ConstantLearningRate(1f))).Message);
        Assert.Contains("startFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(3, new ConstantLearningRate(1f), 1.5)).Message);
    }
}
