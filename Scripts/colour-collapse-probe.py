"""Does PyTorch's dcgan32 (../shared/bench/torch_cgan.py) collapse onto one colour on coloured MNIST, and which
lever stops it? docs/images.md, "Does mode seeking stop the colour collapse?".

    python3 Scripts/colour-collapse-probe.py VARIANT STEPS SEED [MODE_SEEKING_WEIGHT]   # a Python with torch and numpy:
                                                                             # ../shared/bench/README.md

VARIANT: base (the reference), mbstd (D reads the batch's mean feature standard deviation, as ProGAN's), ms
(mode seeking, Mao et al. 2019, weight 1 unless given; with "pool": its distance between 8x8-block means), dlr (D's learning rate 5e-5); combine with "_".
Every 100 steps it prints the entropy of 500 samples' background colours (the outermost ring of pixels mapped to
the nearest of the 8 colours; 1: all eight equally often, as in the data; 0: one colour). The data are 19,200
MNIST training digits coloured as `cgan data make colored-mnist` colours them (its own random draw). MNIST is
read from ../shared/data/mnist or $MNIST_DIR."""
import glob, gzip, os, struct, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "../../shared/bench"))
import torch_cgan as T
torch.set_num_threads(1)
variant, steps, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(seed); rng = np.random.default_rng(seed)
def idx(p):
    d = open(p, "rb").read()
    if p.endswith(".gz"): d = gzip.decompress(d)
    n = struct.unpack(">I", d[4:8])[0]; dims = d[3]
    shape = struct.unpack(">" + "I" * dims, d[4:4 + 4 * dims])
    return np.frombuffer(d, np.uint8, offset=4 + 4 * dims).reshape(shape)
mnist = os.environ.get("MNIST_DIR", os.path.join(here, "../../shared/data/mnist"))
X = idx(glob.glob(mnist + "/train-images*")[0]); Y = idx(glob.glob(mnist + "/train-labels*")[0])
N = 19200; X, Y = X[:N], Y[:N]
pal = np.array([(0,0,0),(255,255,255),(230,25,25),(25,200,40),(30,60,230),(250,220,20),(20,210,220),(220,40,200)], np.float32)
f = rng.integers(0, 8, N); b = rng.integers(0, 7, N); b = b + (b >= f)
g = np.zeros((N, 32, 32), np.float32); g[:, 2:30, 2:30] = X / 255.0
img = pal[b][:, :, None, None] + (pal[f] - pal[b])[:, :, None, None] * g[:, None]
data = torch.tensor(img / 127.5 - 1).reshape(N, -1); labels = torch.tensor(Y.astype(np.int64))
palt = torch.tensor(pal / 127.5 - 1)

class MbstdD(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3 + 10, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 256, 4, 2, 1), nn.LeakyReLU(0.2))
        self.fc = nn.Linear(257 * 16, 1)
    def forward(self, x, y1h):
        B = x.shape[0]
        planes = y1h.view(B, 10, 1, 1).expand(B, 10, 32, 32)
        h = self.net(torch.cat([x.view(B, 3, 32, 32), planes], 1))
        s = h.std(0).mean().expand(B, 1, 4, 4)   # one statistic of the batch's spread
        return self.fc(torch.cat([h, s], 1).flatten(1))

G = T.Dcgan32G(); D = MbstdD() if "mbstd" in variant else T.Dcgan32D()
MSW = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
dlr = 5e-5 if "dlr" in variant else 2e-4
oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)); oD = torch.optim.Adam(D.parameters(), dlr, betas=(0.5, 0.999))
eye = torch.eye(10); B = 64
def bg_stats(x):
    x = x.view(-1, 3, 32, 32)
    border = torch.cat([x[:, :, 0, :], x[:, :, -1, :], x[:, :, :, 0], x[:, :, :, -1]], 2).mean(2)  # (n,3)
    nearest = torch.cdist(border, palt).argmin(1)
    counts = torch.bincount(nearest, minlength=8).float() / len(nearest)
    ent = -(counts[counts > 0] * counts[counts > 0].log()).sum().item() / np.log(8)
    return border.std(0).mean().item(), ent, counts.numpy().round(2)
def speckle(x):  # mean |difference| of neighbouring pixels: the data's strokes against mottled samples
    x = x.view(-1, 3, 32, 32)
    return ((x[:, :, 1:, :] - x[:, :, :-1, :]).abs().mean() + (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().mean()).item() / 2
t0 = time.time()
for step in range(1, steps + 1):
    i = torch.randint(0, N, (B,)); xr, yr = data[i], labels[i]
    yf = torch.randint(0, 10, (B,)); z = torch.randn(B, 100)
    fake = G(z, eye[yf])
    oD.zero_grad()
    lD = F.binary_cross_entropy_with_logits(D(xr, eye[yr]), torch.ones(B, 1)) + F.binary_cross_entropy_with_logits(D(fake.detach(), eye[yf]), torch.zeros(B, 1))
    lD.backward(); oD.step()
    oG.zero_grad(); out = D(fake, eye[yf])
    lG = F.binary_cross_entropy_with_logits(out, torch.ones(B, 1))
    if "ms" in variant:  # mode seeking (Mao et al. 2019): pairs share the class, differ in z
        h = B // 2
        z2 = torch.randn(h, 100); f2 = G(z2, eye[yf[:h]])
        a, b = f2, fake[:h]
        if "pool" in variant:  # the distance of 8x8-block means: rewards other colours, not speckle
            a, b = (F.avg_pool2d(t.view(-1, 3, 32, 32), 8).flatten(1) for t in (a, b))
        ratio = (a - b).abs().mean(1) / (z2 - z[:h]).abs().mean(1)
        lG = lG + MSW / (ratio.mean() + 1e-5)
    lG.backward(); oG.step()
    if step % 100 == 0:
        with torch.no_grad():
            G.eval(); s = G(torch.randn(500, 100), eye[torch.arange(500) % 10]); G.train()
        sd, ent, counts = bg_stats(s)
        print(f"{variant} seed {seed} step {step} lossD {lD.item():.3f} lossG {lG.item():.3f} bg-colour sd {sd:.3f} bg entropy {ent:.2f} {counts} speckle {speckle(s):.3f} {time.time()-t0:.0f}s", flush=True)
sd, ent, _ = bg_stats(data[:2000]); print(f"data: bg-colour sd {sd:.3f} entropy {ent:.2f} speckle {speckle(data[:2000]):.3f}")
