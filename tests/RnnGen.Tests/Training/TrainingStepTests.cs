using System;
using System.Linq;
using RnnGen;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Training;

public class TrainingStepTests
{
    private static float[][] Snapshot(Optimizer o) => o.State.Select(s => (float[])s.Values.Clone()).ToArray();

    [Fact]
    public void A_finite_step_is_applied_and_the_gradients_cleared()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        net.FakeBackward(new SeededRandom(1));
        float[] expected = (float[])net.Parameters.Clone();
        new Sgd(0.1).Step(expected, net.Gradients);
        double norm = GradientClipping.GlobalNorm(net.Gradients);

        var step = new TrainingStep(new Sgd(0.1));
        TrainingStepResult r = step.Apply(net, loss: 1.25f);

        Assert.True(r.Applied);
        Assert.Equal(1.25f, r.Loss);
        Assert.Equal(norm, r.GradientNorm, 12);
        Assert.Equal(0.1, r.LearningRate);
        Assert.Equal(1, r.StepCount);
        Assert.Equal(expected, net.Parameters);
        Assert.All(net.Gradients, g => Assert.Equal(0f, g));
        Assert.Equal(0, step.SkippedSteps);
        Assert.Contains("applied step 1", r.ToString());
    }

    [Fact]
    public void A_NaN_loss_throws_and_changes_nothing()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        var adam = new Adam(0.01);
        var step = new TrainingStep(adam);
        net.FakeBackward(new SeededRandom(1));
        step.Apply(net, 0.5f);
        net.FakeBackward(new SeededRandom(2));
        float[] parameters = (float[])net.Parameters.Clone(), gradients = (float[])net.Gradients.Clone();
        float[][] state = Snapshot(adam);

        var e = Assert.Throws<NonFiniteGradientException>(() => step.Apply(net, float.NaN));

        Assert.Contains("Step 2", e.Message);
        Assert.Contains("loss is NaN", e.Message);
        Assert.Equal(-1, e.GradientIndex);
        Assert.Null(e.TensorName);
        Assert.Equal(2, e.Step);
        Assert.Equal(parameters, net.Parameters);
        Assert.Equal(gradients, net.Gradients);   // kept for inspection
        Assert.Equal(state, Snapshot(adam));
        Assert.Equal(1, adam.StepCount);
    }

    [Fact]
    public void An_infinite_gradient_is_reported_with_its_tensor_and_index()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();   // weight_ih_l0 [3, 2] @ 0, weight_hh_l0 [3, 3] @ 6
        net.FakeBackward(new SeededRandom(1));
        net.Gradients[6 + 1 * 3 + 2] = float.PositiveInfinity;   // weight_hh_l0[1, 2]
        net.Gradients[20] = float.NaN;
        float[] parameters = (float[])net.Parameters.Clone();
        var step = new TrainingStep(new Sgd(0.1), NonFinitePolicy.Throw);

        var e = Assert.Throws<NonFiniteGradientException>(() => step.Apply(net, 0.3f));

        Assert.Equal("weight_hh_l0", e.TensorName);
        Assert.Equal(11, e.GradientIndex);
        Assert.Equal(float.PositiveInfinity, e.GradientValue);
        Assert.Contains("weight_hh_l0[1, 2]", e.Message);
        Assert.Contains("2 non-finite", e.Message);
        Assert.Equal(parameters, net.Parameters);

        // Without the tensor table the flat index is reported.
        var flat = Assert.Throws<NonFiniteGradientException>(() => step.Apply(net.Parameters, net.Gradients, 0.3f));
        Assert.Null(flat.TensorName);
        Assert.Contains("gradient [11]", flat.Message);
        Assert.IsAssignableFrom<ArithmeticException>(flat);
    }

    [Fact]
    public void SkipStep_counts_skips_and_leaves_parameters_and_state_alone()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        var adam = new Adam(0.01);
        var step = new TrainingStep(adam, NonFinitePolicy.SkipStep);
        net.FakeBackward(new SeededRandom(1));
        Assert.True(step.Apply(net, 1f).Applied);
        float[] parameters = (float[])net.Parameters.Clone();
        float[][] state = Snapshot(adam);

        for (int k = 1; k <= 3; k++)
        {
            net.FakeBackward(new SeededRandom((ulong)k + 10));
            net.Gradients[k] = float.NaN;
            TrainingStepResult r = step.Apply(net, 1f);
            Assert.False(r.Applied);
            Assert.True(double.IsNaN(r.GradientNorm));
            Assert.Equal(k, step.SkippedSteps);
            Assert.Equal(k, step.ConsecutiveSkips);
            Assert.All(net.Gradients, g => Assert.Equal(0f, g));   // cleared, so the NaN does not poison the next batch
        }
        Assert.False(step.Apply(net, float.PositiveInfinity).Applied);
        Assert.Equal(parameters, net.Parameters);
        Assert.Equal(state, Snapshot(adam));
        Assert.Equal(1, adam.StepCount);

        net.FakeBackward(new SeededRandom(99));
        Assert.True(step.Apply(net, 1f).Applied);
        Assert.Equal(4, step.SkippedSteps);
        Assert.Equal(0, step.ConsecutiveSkips);
        Assert.Equal(2, adam.StepCount);
        Assert.NotEqual(parameters, net.Parameters);
    }

    [Fact]
    public void Clipping_and_schedule_are_applied_before_the_update()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        var schedule = new StepDecay(0.5f, stepSize: 1, gamma: 0.5);   // 0.5, 0.25, 0.125, …
        var step = new TrainingStep(new Sgd(123), NonFinitePolicy.SkipStep) { MaxGradientNorm = 0.1, Schedule = schedule };
        var random = new SeededRandom(7);
        for (int t = 0; t < 3; t++)
        {
            net.FakeBackward(random, scale: 5f);
            if (t == 1)
            {
                // A skipped step does not advance the schedule.
                net.Gradients[0] = float.NaN;
                Assert.False(step.Apply(net, 1f).Applied);
                net.FakeBackward(random, scale: 5f);
            }
            float[] expected = (float[])net.Parameters.Clone();
            float[] g = (float[])net.Gradients.Clone();
            double norm = GradientClipping.ClipByGlobalNorm(g, 0.1);
            float lr = schedule.LearningRate(t);
            for (int i = 0; i < g.Length; i++) expected[i] += -lr * g[i];

            TrainingStepResult r = step.Apply(net, 2f);

            Assert.True(r.Applied);
            Assert.Equal(norm, r.GradientNorm, 12);   // the norm before clipping
            Assert.Equal(lr, r.LearningRate);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], net.Parameters[i], 6);
        }
    }

    [Fact]
    public void Settings_and_arrays_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => new TrainingStep(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingStep(new Sgd(), (NonFinitePolicy)7));
        var step = new TrainingStep(new Sgd());
        Assert.Throws<ArgumentOutOfRangeException>(() => step.MaxGradientNorm = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => step.MaxGradientNorm = double.NaN);
        step.MaxGradientNorm = null;
        float[] g = [float.NaN, 1f];
        Assert.Contains("same layout", Assert.Throws<ArgumentException>(() => step.Apply(new float[3], g, 1f)).Message);
        Assert.True(float.IsNaN(g[0]));   // nothing touched before the check
    }

    [Fact]
    public void ClearGradients_can_be_turned_off()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        net.FakeBackward(new SeededRandom(3));
        float[] g = (float[])net.Gradients.Clone();
        new TrainingStep(new Sgd(0.1)) { ClearGradients = false }.Apply(net, 1f);
        Assert.Equal(g, net.Gradients);
    }
}
