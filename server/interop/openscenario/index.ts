/**
 * OpenSCENARIO 1.0 (.xosc) interchange with CARLA ScenarioRunner. The tRPC layer calls
 * exportXosc / importXosc; everything else here is their machinery.
 */
export { exportXosc, type ExportXoscOptions } from './export-xosc';
export { importXosc, XoscImportError, type ImportXoscResult } from './import-xosc';
export { XmlParseError } from '~/server/xml/parse';
export { carlaTownForMap, mapForTown } from '~/server/maps/carla-towns';
