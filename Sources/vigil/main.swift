import VigilCLI

await Vigil.runAsRoot()
