// A small deterministic pseudo-random generator (SplitMix64). The standard library's
// distributions are implementation-defined, so seeded demo data and fault injection use
// this instead: the same --seed gives the same data on every platform and compiler.
#pragma once

#include <QtCore/QtGlobal>

#include <cmath>
#include <span>

namespace earshot::refserver {

class Prng
{
public:
    explicit Prng(quint64 seed) : m_state(seed) { }

    quint64 next()
    {
        quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    // Uniform in [0, 1).
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // Uniform in [0, bound); bound > 0. The modulo bias is irrelevant for demo data.
    qint64 below(qint64 bound) { return static_cast<qint64>(next() % static_cast<quint64>(bound)); }

    // Uniform in [low, high].
    qint64 between(qint64 low, qint64 high) { return low + below(high - low + 1); }

    bool chance(double probability) { return unit() < probability; }

    // Index into weights, chosen with probability proportional to its weight.
    qsizetype weighted(std::span<const double> weights)
    {
        double total = 0;
        for (double w : weights)
            total += w;
        double pick = unit() * total;
        for (qsizetype i = 0; i < static_cast<qsizetype>(weights.size()); ++i) {
            pick -= weights[static_cast<size_t>(i)];
            if (pick < 0)
                return i;
        }
        return static_cast<qsizetype>(weights.size()) - 1;
    }

    // Log-normal-ish positive value around median, for durations.
    double skewed(double median, double spread)
    {
        // Sum of uniforms approximates a normal deviate without std::normal_distribution.
        const double gauss = (unit() + unit() + unit() + unit() - 2.0) * std::sqrt(3.0);
        return median * std::exp(gauss * spread);
    }

private:
    quint64 m_state;
};

} // namespace earshot::refserver
