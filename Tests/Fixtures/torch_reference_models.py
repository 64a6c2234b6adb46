"""The four models of `cgan train --arch` in PyTorch, for PyTorchExportTests.

Only what loading and one forward pass need: the layers, their state-dict names (what `cgan export
--format pytorch` writes) and the forward computation. Dropout layers are kept where they occupy an index in
an nn.Sequential, so the names line up; the tests run in eval mode, where they do nothing.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

NZ, NY, NX = 100, 10, 784


class Maxout(nn.Module):
    """A linear layer to units * pieces outputs; each unit is the max of its consecutive pieces."""

    def __init__(self, fan_in, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.lin = nn.Linear(fan_in, units * pieces)

    def forward(self, x):
        return self.lin(x).view(x.shape[0], self.units, self.pieces).max(dim=2).values


class PaperG(nn.Module):
    """z -> 200 ReLU, y -> 1000 ReLU, concatenated -> 1200 ReLU -> 784 sigmoid."""

    def __init__(self):
        super().__init__()
        self.z_fc = nn.Linear(NZ, 200)
        self.y_fc = nn.Linear(NY, 1000)
        self.fc = nn.Linear(1200, 1200)
        self.out = nn.Linear(1200, NX)

    def forward(self, z, y):
        h = torch.cat([F.relu(self.z_fc(z)), F.relu(self.y_fc(y))], dim=1)
        return torch.sigmoid(self.out(F.relu(self.fc(h))))


class PaperD(nn.Module):
    """x -> maxout 240x5, y -> maxout 50x5, concatenated -> maxout 240x4 -> 1 (a logit)."""

    def __init__(self):
        super().__init__()
        self.x_mo = Maxout(NX, 240, 5)
        self.y_mo = Maxout(NY, 50, 5)
        self.j_mo = Maxout(290, 240, 4)
        self.out = nn.Linear(240, 1)

    def forward(self, x, y):
        return self.out(self.j_mo(torch.cat([self.x_mo(x), self.y_mo(y)], dim=1)))


class MlpG(nn.Module):
    """[z, y] -> 256 -> 512 -> 1024 (LeakyReLU 0.2) -> 784 tanh."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(NZ + NY, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 1024), nn.LeakyReLU(0.2),
            nn.Linear(1024, NX), nn.Tanh())

    def forward(self, z, y):
        return self.net(torch.cat([z, y], dim=1))


class MlpD(nn.Module):
    """[x, y] -> 1024 -> 512 -> 256 (LeakyReLU 0.2, dropout) -> 1."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(NX + NY, 1024), nn.LeakyReLU(0.2), nn.Dropout(),
            nn.Linear(1024, 512), nn.LeakyReLU(0.2), nn.Dropout(),
            nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(),
            nn.Linear(256, 1))

    def forward(self, x, y):
        return self.net(torch.cat([x, y], dim=1))


class MlpBnG(nn.Module):
    """z -> 256 and y -> 256 (batch norm, ReLU), concatenated -> 512 -> 1024 (batch norm, ReLU, dropout) -> 784 tanh."""

    def __init__(self):
        super().__init__()
        self.z_br = nn.Sequential(nn.Linear(NZ, 256), nn.BatchNorm1d(256), nn.ReLU())
        self.y_br = nn.Sequential(nn.Linear(NY, 256), nn.BatchNorm1d(256), nn.ReLU())
        self.net = nn.Sequential(
            nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(),
            nn.Linear(512, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Dropout(),
            nn.Linear(1024, NX), nn.Tanh())

    def forward(self, z, y):
        return self.net(torch.cat([self.z_br(z), self.y_br(y)], dim=1))


class MlpBnD(nn.Module):
    """x -> 1024 and y -> 1024 (LeakyReLU 0.2), concatenated -> 512 -> 256 (LeakyReLU 0.2, dropout) -> 1."""

    def __init__(self):
        super().__init__()
        self.x_br = nn.Sequential(nn.Linear(NX, 1024), nn.LeakyReLU(0.2))
        self.y_br = nn.Sequential(nn.Linear(NY, 1024), nn.LeakyReLU(0.2))
        self.net = nn.Sequential(
            nn.Linear(2048, 512), nn.LeakyReLU(0.2), nn.Dropout(),
            nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(),
            nn.Linear(256, 1))

    def forward(self, x, y):
        return self.net(torch.cat([self.x_br(x), self.y_br(y)], dim=1))


class DcganG(nn.Module):
    """[z, y] -> 6272 (batch norm, ReLU) -> [128, 7, 7] -> transposed conv to 64 x 14 x 14 (batch norm, ReLU)
    -> transposed conv to 1 x 28 x 28, tanh."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(NZ + NY, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU())
        self.net = nn.Sequential(
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z, y):
        return self.net(self.fc(torch.cat([z, y], dim=1)).view(-1, 128, 7, 7)).view(-1, NX)


class DcganD(nn.Module):
    """The image and 10 one-hot label planes (11 x 28 x 28) -> conv to 64 x 14 x 14 -> conv to 128 x 7 x 7
    (LeakyReLU 0.2 each) -> 1."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1 + NY, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(128 * 7 * 7, 1))

    def forward(self, x, y):
        b = x.shape[0]
        planes = y.view(b, NY, 1, 1).expand(b, NY, 28, 28)
        return self.net(torch.cat([x.view(b, 1, 28, 28), planes], dim=1))


class Dcgan32G(nn.Module):
    """torch_cgan.py's dcgan32: [z, y] -> 4096 (batch norm, ReLU) -> [256, 4, 4] -> transposed convs to 128 x 8 x 8
    and 64 x 16 x 16 (batch norm, ReLU each) -> transposed conv to 3 x 32 x 32, tanh."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(NZ + NY, 256 * 4 * 4), nn.BatchNorm1d(256 * 4 * 4), nn.ReLU())
        self.net = nn.Sequential(
            nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh())

    def forward(self, z, y):
        return self.net(self.fc(torch.cat([z, y], dim=1)).view(-1, 256, 4, 4)).view(-1, 3 * 32 * 32)


class Dcgan32D(nn.Module):
    """The image and 10 one-hot label planes (13 x 32 x 32) -> convs to 64, 128 and 256 channels (16, 8, 4 pixels;
    LeakyReLU 0.2 each) -> 1."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3 + NY, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 256, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(256 * 4 * 4, 1))

    def forward(self, x, y):
        b = x.shape[0]
        planes = y.view(b, NY, 1, 1).expand(b, NY, 32, 32)
        return self.net(torch.cat([x.view(b, 3, 32, 32), planes], dim=1))


# Keyed by arch, and by arch and image shape where the shape is not 1x28x28 (the export's metadata names both).
MODELS = {"paper": (PaperG, PaperD), "mlp": (MlpG, MlpD), "mlp-bn": (MlpBnG, MlpBnD), "dcgan": (DcganG, DcganD),
          "dcgan 3x32x32": (Dcgan32G, Dcgan32D)}
