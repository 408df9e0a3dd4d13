"""A pair plot of posterior samples beside reference samples: marginals and pairs."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = ["pairplot"]

POINTS = 2000


def pairplot(samples, reference, names):
    """Diagonal: both marginals; below it: the samples' pairs; above: the reference's."""
    d = samples.shape[1]
    size = min(2.0 * d, 16)
    figure, axes = plt.subplots(d, d, figsize=(size, size), squeeze=False)
    both = samples if reference is None else np.concatenate([samples, reference])
    low, high = np.percentile(both, 0.5, axis=0), np.percentile(both, 99.5, axis=0)
    for i in range(d):
        for j in range(d):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if i == j:
                bins = np.linspace(low[i], high[i], 40)
                ax.hist(samples[:, i], bins, color="C0", alpha=0.6, density=True)
                if reference is not None:
                    ax.hist(reference[:, i], bins, color="C1", alpha=0.6, density=True)
            else:
                source, color = (samples, "C0") if i > j else (reference, "C1")
                if source is not None:
                    ax.scatter(source[:POINTS, j], source[:POINTS, i], s=1, color=color, alpha=0.3)
                ax.set_xlim(low[j], high[j])
                ax.set_ylim(low[i], high[i])
            if i == d - 1:
                ax.set_xlabel(names[j], fontsize=8)
            if j == 0:
                ax.set_ylabel(names[i], fontsize=8)
    figure.suptitle("posterior (blue, below the diagonal) and reference (orange, above)")
    return figure
