namespace hearth::bus {}
