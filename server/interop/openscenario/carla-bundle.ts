import { strToU8, zipSync } from 'fflate';

/**
 * "Download for CARLA": one zip with the scenario's .xosc, the OpenDRIVE file of its map (an
 * uploaded map's file as stored, or the built-in map as DriveLab generates it) and a README on
 * running it in CARLA ScenarioRunner and in CARLA's standalone OpenDRIVE mode.
 */
export interface CarlaBundleInput {
  /** file stem of the scenario, e.g. "cut-in-v3" */
  stem: string;
  xosc: string;
  map: { name: string; xodr: string; builtin: boolean };
}

export function carlaReadme(input: CarlaBundleInput): string {
  const { stem, map } = input;
  return `# ${stem} for CARLA

Files:
- ${stem}.xosc: the scenario (OpenSCENARIO 1.0, valid against ASAM's OpenSCENARIO.xsd).
- ${map.name}.xodr: its road network (OpenDRIVE)${map.builtin ? ", DriveLab's built-in map as OpenDRIVE" : ''}.

## CARLA ScenarioRunner

The scenario's RoadNetwork/LogicFile names the map "${map.name}".${
    map.builtin ? '' : ' When that is a CARLA town (Town01 ... Town10HD), ScenarioRunner loads the town by name.'
  }
With the CARLA server running:

    python scenario_runner.py --openscenario ${stem}.xosc --reloadWorld

The ego ("hero") is under external control: start your agent or manual_control.py with
--rolename hero. NPCs drive on CARLA's autopilot.

## A map that is not a CARLA town: CARLA's standalone OpenDRIVE mode

CARLA can build a world from the .xodr alone (roads, no buildings):

    python PythonAPI/util/config.py -x ${map.name}.xodr

or from Python: client.generate_opendrive_world(open('${map.name}.xodr').read()).
Then run ScenarioRunner as above without --reloadWorld, so it keeps the generated world.

The ego's start is a LanePosition on the file's road and lane ids when the scenario was authored
on an uploaded map, so it means the same place in CARLA as in DriveLab.
`;
}

export function carlaBundle(input: CarlaBundleInput): Uint8Array {
  return zipSync(
    {
      [`${input.stem}.xosc`]: strToU8(input.xosc),
      [`${input.map.name}.xodr`]: strToU8(input.map.xodr),
      'README.md': strToU8(carlaReadme(input)),
    },
    { level: 6 },
  );
}
